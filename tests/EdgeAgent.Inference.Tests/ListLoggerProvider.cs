using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.Inference.Tests;

/// <summary>Keeps every log line so tests can check what the code said and why.</summary>
internal sealed class ListLoggerProvider : ILoggerProvider
{
    public ConcurrentQueue<(LogLevel Level, string Category, string Message)> Entries { get; } = new();

    public ILogger CreateLogger(string categoryName) => new ListLogger(this, categoryName);

    public void Dispose() { }

    private sealed class ListLogger(ListLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner.Entries.Enqueue((logLevel, category, formatter(state, exception)));
    }
}

/// <summary>A logger factory over one <see cref="ListLoggerProvider"/>.</summary>
internal sealed class ListLoggerFactory : ILoggerFactory
{
    public ListLoggerProvider Provider { get; } = new();

    public void AddProvider(ILoggerProvider provider) { }

    public ILogger CreateLogger(string categoryName) => Provider.CreateLogger(categoryName);

    public void Dispose() { }
}
