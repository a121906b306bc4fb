using System.Diagnostics;
using Npgsql;

namespace EdgeAgent.Hub.Tests.Support;

/// <summary>
/// A throw-away PostgreSQL cluster (Debian's postgresql package) in a temp folder on a free loopback port.
/// PostgreSQL refuses to run as root, so as root the server runs as the package's 'postgres' user.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    private readonly Process _server;
    private readonly DirectoryInfo _folder;
    private int _databases;

    private PostgresServer(Process server, DirectoryInfo folder, int port)
    {
        _server = server;
        _folder = folder;
        Port = port;
    }

    public int Port { get; }

    public static async Task<PostgresServer> StartAsync()
    {
        var bin = Directory.GetDirectories("/usr/lib/postgresql").OrderByDescending(d => d, StringComparer.Ordinal)
            .Select(d => Path.Combine(d, "bin")).FirstOrDefault(d => File.Exists(Path.Combine(d, "initdb")))
            ?? throw new InvalidOperationException("PostgreSQL is not installed (apt-get install postgresql); test.sh installs it.");
        var folder = Directory.CreateTempSubdirectory("edge-hub-pg-");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(folder.FullName, (UnixFileMode)0x1FF); // 0777: the postgres user writes its cluster and socket here
        }
        var data = Path.Combine(folder.FullName, "data");
        await RunAsync(Path.Combine(bin, "initdb"), ["-D", data, "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8"]);
        var port = TestHub.FreePort();
        var server = Start(Path.Combine(bin, "postgres"),
            ["-D", data, "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-k", folder.FullName,
             "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "full_page_writes=off"]);
        var postgres = new PostgresServer(server, folder, port);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                await using var connection = new NpgsqlConnection(postgres.ConnectionString("postgres"));
                await connection.OpenAsync();
                return postgres;
            }
            catch (NpgsqlException) when (DateTime.UtcNow < deadline && !server.HasExited)
            {
                await Task.Delay(100);
            }
            catch
            {
                await postgres.DisposeAsync();
                throw;
            }
        }
    }

    public string ConnectionString(string database) =>
        $"Host=127.0.0.1;Port={Port};Username=postgres;Database={database};Pooling=true;Timeout=15";

    /// <summary>A fresh, empty database for one test.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = "hub_" + Interlocked.Increment(ref _databases);
        await using var connection = new NpgsqlConnection(ConnectionString("postgres"));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE {name};", connection);
        await command.ExecuteNonQueryAsync();
        return ConnectionString(name);
    }

    private static bool AsRoot => Environment.UserName == "root";

    private static Process Start(string program, string[] arguments)
    {
        var start = AsRoot
            ? new ProcessStartInfo("runuser", ["-u", "postgres", "--", program, .. arguments])
            : new ProcessStartInfo(program, arguments);
        start.RedirectStandardError = true;
        start.RedirectStandardOutput = true;
        var process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start.");
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        return process;
    }

    private static async Task RunAsync(string program, string[] arguments)
    {
        var start = AsRoot
            ? new ProcessStartInfo("runuser", ["-u", "postgres", "--", program, .. arguments])
            : new ProcessStartInfo(program, arguments);
        start.RedirectStandardError = true;
        start.RedirectStandardOutput = true;
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} failed ({process.ExitCode}): {await error}{await output}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (!_server.HasExited)
        {
            // runuser forwards SIGTERM to postgres: a "smart" shutdown would wait for clients, so kill the whole tree.
            _server.Kill(entireProcessTree: true);
            await _server.WaitForExitAsync();
        }
        _server.Dispose();
        _folder.Delete(recursive: true);
    }
}
