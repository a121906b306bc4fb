using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace EdgeAgent.Messaging.Tests.Support;

/// <summary>
/// A real mosquitto on a free loopback port with its own config and persistence directory (owned by
/// the mosquitto user, to which the broker drops when started as root). It can be stopped, killed
/// with SIGKILL and started again on the same port with the same persistence.
/// </summary>
internal sealed class MosquittoBroker : IDisposable
{
    private readonly TempDirectory _directory = new("edgeagent-mosquitto-");
    private ChildProcess? _process;

    private MosquittoBroker(int port, string extraConfig)
    {
        Port = port;
        var config = $"""
            listener {port} 127.0.0.1
            persistence true
            persistence_location {_directory.Path}/
            autosave_interval 1
            log_dest stderr
            log_type error
            log_type warning
            log_type notice
            log_type information
            {extraConfig}
            """;
        if (!extraConfig.Contains("allow_anonymous", StringComparison.Ordinal))
        {
            config += "\nallow_anonymous true\n";
        }
        System.IO.File.WriteAllText(ConfigPath, config);
    }

    public int Port { get; }

    public string Directory => _directory.Path;

    public string ConfigPath => _directory.File("mosquitto.conf");

    public string PlainUrl => $"mqtt://127.0.0.1:{Port}";

    public string TlsUrl => $"mqtts://127.0.0.1:{Port}";

    public IReadOnlyCollection<string> Log => _process?.Lines ?? [];

    /// <summary>Writes a config (extra lines may add TLS, passwords, limits) without starting the broker.</summary>
    public static MosquittoBroker Create(string extraConfig = "") => new(FreePort(), extraConfig);

    public static async Task<MosquittoBroker> StartAsync(string extraConfig = "")
    {
        var broker = Create(extraConfig);
        await broker.StartAsync();
        return broker;
    }

    public string File(string name) => _directory.File(name);

    public async Task StartAsync()
    {
        Chown(_directory.Path);
        _process?.Dispose();
        _process = ChildProcess.Start("mosquitto", "-c", ConfigPath);
        await _process.WaitForLineAsync(" running", TimeSpan.FromSeconds(10));
    }

    /// <summary>SIGKILL: whatever mosquitto had not yet written to its persistence file is gone.</summary>
    public void Kill() => _process?.Kill();

    public async Task StopAsync()
    {
        if (_process is not null)
        {
            await _process.TerminateAsync(TimeSpan.FromSeconds(10));
        }
    }

    public void Dispose()
    {
        _process?.Dispose();
        _directory.Dispose();
    }

    /// <summary>Waits until mosquitto's autosave has written the persistence file after <paramref name="since"/>.</summary>
    public async Task WaitForAutosaveAsync(DateTime since, TimeSpan timeout)
    {
        var path = _directory.File("mosquitto.db");
        var watch = Stopwatch.StartNew();
        while (!(System.IO.File.Exists(path) && System.IO.File.GetLastWriteTimeUtc(path) > since))
        {
            if (watch.Elapsed > timeout)
            {
                throw new TimeoutException("mosquitto did not autosave its persistence file");
            }
            // A file's modification has no event to await across users; a short poll bounded by the timeout.
            await Task.Delay(50);
        }
    }

    private static void Chown(string path)
    {
        using var chown = Process.Start("chown", ["-R", "mosquitto:mosquitto", path]);
        chown.WaitForExit();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
