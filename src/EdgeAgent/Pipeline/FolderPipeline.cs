using System.Collections.Concurrent;
using System.Threading.Channels;
using EdgeAgent.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeAgent.Pipeline;

/// <summary>
/// The folder input: a FileSystemWatcher plus a rescan at start and every Input:RescanInterval (watcher events can
/// be lost), each new name settling until completely written, then Input:MaxInFlight workers reading a bounded
/// channel. Per-file problems end in failed/ and never stop the service; anything else escaping here stops the
/// host (BackgroundServiceExceptionBehavior.StopHost) and the process exits non-zero so systemd restarts it.
/// </summary>
public sealed class FolderPipeline(
    AgentPaths paths,
    IOptions<InputOptions> inputOptions,
    InputProcessor processor,
    FileSettler settler,
    PipelineMonitor monitor,
    TimeProvider clock,
    ILogger<FolderPipeline> logger) : BackgroundService
{
    // Settling is only waiting, so many files can settle at once; this bounds the tasks a burst can start.
    private const int MaxSettling = 256;

    private readonly InputOptions input = inputOptions.Value;
    private readonly ConcurrentDictionary<string, byte> pending = new(StringComparer.Ordinal);
    // Files left in place (AfterProcessing = Leave) or deferred, with the size and time they had, so rescans skip them until they change.
    private readonly ConcurrentDictionary<string, (long Length, DateTime Written)> settled = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim settling = new(MaxSettling);
    private Channel<string>? ready;
    private CancellationToken stopping;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await RunAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            AgentLog.PipelineCrashed(logger, ex);
            monitor.MarkFaulted(ex);
            throw;
        }
    }

    private async Task RunAsync(CancellationToken stoppingToken)
    {
        stopping = stoppingToken;
        paths.EnsureCreated();
        ready = Channel.CreateBounded<string>(new BoundedChannelOptions(input.MaxInFlight * 2) { SingleReader = false });
        var workers = Enumerable.Range(0, input.MaxInFlight).Select(_ => Task.Run(() => WorkAsync(ready.Reader, stoppingToken), stoppingToken)).ToArray();

        using var watcher = new FileSystemWatcher(paths.WatchFolder)
        {
            IncludeSubdirectories = false,
            NotifyFilter = NotifyFilters.FileName | NotifyFilters.Size | NotifyFilters.LastWrite,
            InternalBufferSize = 64 * 1024,
        };
        watcher.Created += (_, e) => Offer(e.FullPath);
        watcher.Changed += (_, e) => Offer(e.FullPath);
        watcher.Renamed += (_, e) => Offer(e.FullPath);
        watcher.Error += (_, e) =>
        {
            AgentLog.WatcherError(logger, e.GetException(), paths.WatchFolder);
            Rescan();
        };
        watcher.EnableRaisingEvents = true;
        AgentLog.Watching(logger, paths.WatchFolder, input.MaxInFlight, input.AfterProcessing.ToString(), paths.ResultsFolder);

        Rescan();
        monitor.MarkStarted();
        using var timer = new PeriodicTimer(input.RescanInterval, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                Rescan();
            }
        }
        finally
        {
            watcher.EnableRaisingEvents = false;
            ready.Writer.TryComplete();
            await Task.WhenAll(workers).ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
        }
    }

    private void Rescan()
    {
        try
        {
            foreach (var file in Directory.EnumerateFiles(paths.WatchFolder))
            {
                Offer(file);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            AgentLog.RescanFailed(logger, ex, paths.WatchFolder);
        }
    }

    /// <summary>Takes a name from the watcher or a rescan; each file is in the pipeline at most once at a time.</summary>
    private void Offer(string path)
    {
        if (stopping.IsCancellationRequested || !InputFileFilter.IsCandidate(path))
        {
            return;
        }

        if (settled.TryGetValue(path, out var seen))
        {
            var info = new FileInfo(path);
            if (!info.Exists || (info.Length, info.LastWriteTimeUtc) == seen)
            {
                return;
            }

            settled.TryRemove(path, out _);
        }

        if (!pending.TryAdd(path, 0))
        {
            return;
        }

        monitor.Enter();
        _ = SettleAsync(path);
    }

    private async Task SettleAsync(string path)
    {
        var queued = false;
        try
        {
            await settling.WaitAsync(stopping);
            try
            {
                // A file still being written keeps its slot here until its size holds still; settle periods are cheap waits.
                var state = await settler.WaitAsync(path, input.SettleTime, int.MaxValue, stopping);
                if (state == FileSettler.State.Complete)
                {
                    await ready!.Writer.WriteAsync(path, stopping);
                    queued = true;
                }
            }
            finally
            {
                settling.Release();
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (ChannelClosedException)
        {
        }
        finally
        {
            if (!queued)
            {
                Release(path);
            }
        }
    }

    private async Task WorkAsync(ChannelReader<string> reader, CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var path in reader.ReadAllAsync(stoppingToken))
            {
                try
                {
                    var outcome = await processor.ProcessAsync(path, stoppingToken);
                    var info = new FileInfo(path);
                    if (outcome.Kind is InputOutcomeKind.Diagnosed or InputOutcomeKind.Duplicate && info.Exists)
                    {
                        // Left in place (Input:AfterProcessing = Leave): skip it on rescans until it changes.
                        settled[path] = (info.Length, info.LastWriteTimeUtc);
                    }

                    if (outcome.Kind != InputOutcomeKind.Deferred || !stoppingToken.IsCancellationRequested)
                    {
                        monitor.Record(outcome);
                    }
                }
                finally
                {
                    Release(path);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private void Release(string path)
    {
        if (pending.TryRemove(path, out _))
        {
            monitor.Leave();
        }
    }

    public override void Dispose()
    {
        settling.Dispose();
        base.Dispose();
    }
}
