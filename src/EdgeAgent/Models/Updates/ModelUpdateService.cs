using System.Buffers;
using System.Text.Json;
using System.Threading.Channels;
using EdgeAgent.Messaging.Contracts;
using EdgeAgent.Messaging.Link;
using EdgeAgent.Messaging.ModelUpdates;
using EdgeAgent.Onnx.Packaging;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MQTTnet;
using MQTTnet.Protocol;

namespace EdgeAgent.Models.Updates;

/// <summary>
/// Takes signed model updates from the site's announce topic: verify the signature and policy (device, channel,
/// pin, size, anti-rollback) before any download; fetch the chunks; check the whole sha256; unpack and load the
/// package in its own session; self-test its golden images; swap; record state.json; roll back by itself when the
/// new model misbehaves. Every step is reported retained on the device's model/status topic.
/// </summary>
public sealed class ModelUpdateService : BackgroundService
{
    private readonly MqttLink _link;
    private readonly MqttOptions _mqtt;
    private readonly ModelUpdateOptions _options;
    private readonly ModelHolder _holder;
    private readonly ModelLoader _loader;
    private readonly TimeProvider _time;
    private readonly ILogger<ModelUpdateService> _logger;
    private readonly UpdateStateFile _stateFile;
    private readonly StartupModels? _startup;
    private readonly SemaphoreSlim _work = new(1, 1);
    private readonly Channel<byte[]> _announcements = Channel.CreateBounded<byte[]>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropOldest });

    public ModelUpdateService(
        MqttLink link, IOptions<MqttOptions> mqtt, IOptions<ModelUpdateOptions> options, ModelHolder holder, ModelLoader loader,
        TimeProvider time, ILogger<ModelUpdateService> logger, string directory, StartupModels? startup = null)
    {
        _startup = startup;
        _link = link;
        _mqtt = mqtt.Value;
        _options = options.Value;
        _holder = holder;
        _loader = loader;
        _time = time;
        _logger = logger;
        Directory = directory;
        _stateFile = new UpdateStateFile(directory);
    }

    public string Directory { get; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var verifier = AnnouncementVerifier.FromFiles(_options.TrustedKeys);
        using var downloader = new ChunkDownloader(_link, _mqtt.Site, _mqtt.DeviceId, new ChunkDownloadOptions
        {
            Window = _options.ChunkWindow,
            RequestTimeout = _options.ChunkTimeout,
            MaxBytesPerSecond = _options.MaxBytesPerSecond,
        }, _time);
        _holder.Unhealthy += OnUnhealthy;
        _holder.ProbationProgressed += OnProbationProgressed;
        _link.MessageReceived += OnMessageAsync;
        try
        {
            if (_startup is { RolledBackVersion: { } failed, RollbackReason: { } why })
            {
                _ = ReportWhenConnectedAsync($"rolled back: {why}", failed, stoppingToken);
            }
            else if (_holder.Probation is { } resumed)
            {
                // Restarted during the health watch (crash, power cut): say so; the watch continues from state.json.
                _ = ReportWhenConnectedAsync(
                    $"active: health watch resumed after a restart at {resumed.Inferences} of {_holder.HealthWindow} inferences",
                    _holder.Current.Manifest.Version, stoppingToken);
            }
            await _link.AddSubscriptionAsync(Topics.ModelAnnounce(_mqtt.Site), stoppingToken);
            await foreach (var payload in _announcements.Reader.ReadAllAsync(stoppingToken))
            {
                await _work.WaitAsync(stoppingToken);
                try
                {
                    await HandleAsync(payload, verifier, downloader, stoppingToken);
                }
                finally
                {
                    _work.Release();
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // stopping; a partial download stays on disk and resumes next time
        }
        finally
        {
            _link.MessageReceived -= OnMessageAsync;
            _holder.ProbationProgressed -= OnProbationProgressed;
            _holder.Unhealthy -= OnUnhealthy;
        }
    }

    private Task OnMessageAsync(MqttApplicationMessageReceivedEventArgs e)
    {
        if (e.ApplicationMessage.Topic == Topics.ModelAnnounce(_mqtt.Site) && e.ApplicationMessage.Payload.Length > 0)
        {
            _announcements.Writer.TryWrite(e.ApplicationMessage.Payload.ToArray());
        }
        return Task.CompletedTask;
    }

    private async Task HandleAsync(byte[] payload, AnnouncementVerifier verifier, ChunkDownloader downloader, CancellationToken cancellationToken)
    {
        UpdateManifest manifest;
        try
        {
            manifest = verifier.Verify(payload);
        }
        catch (UpdateRejectedException ex)
        {
            _logger.LogWarning("Model announcement rejected: {Reason}", ex.Message);
            await ReportAsync($"rejected: {ex.Message}", null, cancellationToken);
            return;
        }
        if (!manifest.IsFor(_mqtt.DeviceId))
        {
            return;
        }
        var state = _stateFile.Read();
        var downloads = Path.Combine(Directory, "downloads");
        if (state.Refused.Contains(manifest.Sha256) || state.Active?.Sha256 == manifest.Sha256)
        {
            // A retained announcement seen again after a reconnect or restart; a crash right after the swap may have
            // left its download folder behind.
            var leftover = Path.Combine(downloads, manifest.Sha256);
            if (System.IO.Directory.Exists(leftover))
            {
                System.IO.Directory.Delete(leftover, recursive: true);
            }
            return;
        }

        var store = new ChunkStore(downloads, manifest);
        try
        {
            CheckPolicy(manifest);
            var lastPercent = -1;
            var progress = new Progress(p =>
            {
                if (p.Percent / 10 != lastPercent / 10)
                {
                    lastPercent = p.Percent;
                    _ = ReportAsync($"downloading {p.Percent}%", manifest, cancellationToken, p.Percent);
                }
            });
            var zip = await downloader.DownloadAsync(manifest, store, progress, cancellationToken);
            var installed = Install(manifest, zip, out var model);
            var before = _holder.Current;
            var previous = _stateFile.Read().Active is { } served && SamePath(served.Path, before.Source)
                ? served
                : new InstalledModel { Version = before.Manifest.Version, Sha256 = before.Manifest.Sha256, Path = before.Source };
            try
            {
                await ReportAsync("verified", manifest, cancellationToken);
                await CrashInjection.PauseAtAsync(CrashInjection.Verified, _logger, cancellationToken);
                // state.json first, then the in-memory swap: a restart in between starts on the new package and
                // continues its health watch (probation) from zero, exactly as if the swap had happened.
                _stateFile.Update(s => s with { Active = installed, Previous = previous, Probation = new ProbationState() });
                await CrashInjection.PauseAtAsync(CrashInjection.StateWritten, _logger, cancellationToken);
            }
            catch
            {
                model.Dispose(); // not swapped in: nothing else holds it
                throw;
            }
            _holder.Swap(model);
            store.Delete();
            RemoveOtherPackages(installed.Path, previous.Path);
            _logger.LogInformation("Model {Version} active (previous {Previous} kept for rollback)", manifest.Version, previous.Version);
            await ReportAsync("active", manifest, cancellationToken);
        }
        catch (UpdateRejectedException ex)
        {
            _logger.LogWarning("Model update {Version} rejected: {Reason}", manifest.Version, ex.Message);
            store.Delete();
            _stateFile.Update(s => s with { Refused = [.. s.Refused, manifest.Sha256] });
            await ReportAsync($"rejected: {ex.Message}", manifest, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not OutOfMemoryException)
        {
            // Disk full, permissions: the running model is untouched; the retained announcement is tried again on the next start.
            _logger.LogError(ex, "Model update {Version} failed", manifest.Version);
            await ReportAsync($"failed: {ex.Message}", manifest, cancellationToken);
        }
    }

    /// <summary>Checked on the signed manifest, before a single chunk is requested.</summary>
    private void CheckPolicy(UpdateManifest manifest)
    {
        if (_options.Channel is not null && manifest.Channel != _options.Channel)
        {
            throw new UpdateRejectedException($"channel {manifest.Channel} (pinned to {_options.Channel})");
        }
        if (_options.PinnedVersion is not null && manifest.Version != _options.PinnedVersion)
        {
            throw new UpdateRejectedException($"version {manifest.Version} (pinned to {_options.PinnedVersion})");
        }
        if (manifest.Size > _options.MaxPackageBytes)
        {
            throw new UpdateRejectedException($"package of {manifest.Size} bytes over the size limit of {_options.MaxPackageBytes}");
        }
        if (!SemanticVersion.TryParse(manifest.Version, out var offered, out var error))
        {
            throw new UpdateRejectedException($"version {manifest.Version}: {error}");
        }
        var running = SemanticVersion.Parse(_holder.Current.Manifest.Version);
        if (offered <= running && !manifest.Rollback)
        {
            throw new UpdateRejectedException($"downgrade: {manifest.Version} is not higher than active {running}");
        }
    }

    /// <summary>Unpacks and validates the package, loads it in its own session and self-tests it; the caller owns the model.</summary>
    private InstalledModel Install(UpdateManifest manifest, string zip, out LoadedModel model)
    {
        var folder = Path.Combine(Directory, "packages", $"{manifest.Version}-{manifest.Sha256[..12]}");
        if (System.IO.Directory.Exists(folder))
        {
            System.IO.Directory.Delete(folder, recursive: true); // left by a crash mid-install
        }
        try
        {
            using (var package = ModelPackage.Load(zip, new ModelPackageLoadOptions { ExtractDirectory = folder, MaxUncompressedBytes = Math.Max(_options.MaxPackageBytes * 4, 64L * 1024 * 1024) }))
            {
                if (package.Manifest.Name != manifest.Package || package.Manifest.Version != manifest.Version)
                {
                    throw new UpdateRejectedException($"package is {package.Manifest.Name} {package.Manifest.Version}, the signed manifest says {manifest.Package} {manifest.Version}");
                }
            }
            model = _loader.Load(folder, warmUp: true);
        }
        catch (Exception ex) when (ex is not UpdateRejectedException and not OutOfMemoryException and not OperationCanceledException)
        {
            throw new UpdateRejectedException($"does not load: {ex.Message}", ex);
        }
        try
        {
            PackageSelfTest.Run(model, folder);
        }
        catch
        {
            model.Dispose();
            throw;
        }
        return new InstalledModel { Version = manifest.Version, Sha256 = manifest.Sha256, Path = folder };
    }

    private void RemoveOtherPackages(params string[] keep)
    {
        var root = Path.Combine(Directory, "packages");
        foreach (var folder in System.IO.Directory.EnumerateDirectories(root))
        {
            if (!keep.Contains(Path.GetFullPath(folder)))
            {
                System.IO.Directory.Delete(folder, recursive: true);
            }
        }
    }

    private void OnUnhealthy(LoadedModel failed, string reason) => _ = Task.Run(() => RollBackAsync(failed, reason));

    /// <summary>Persists the health watch after each watched inference (state null: the model passed it).</summary>
    private void OnProbationProgressed(LoadedModel model, ProbationState? progress)
    {
        try
        {
            _stateFile.Update(s => s.Active is { } active && s.Probation is not null && SamePath(active.Path, model.Source)
                ? s with { Probation = progress }
                : s);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Runs on the pipeline's thread: a disk error or a damaged state.json must not fail the image. The watch
            // goes on in memory; only a restart before the next successful write would repeat a few inferences of it.
            _logger.LogWarning("Health watch progress of model {Version} not saved: {Reason}", model.Manifest.Version, ex.Message);
        }
        if (progress is null)
        {
            _logger.LogInformation("Model {Version} passed its health watch ({Window} inferences)", model.Manifest.Version, _holder.HealthWindow);
        }
    }

    private static bool SamePath(string a, string b) =>
        string.Equals(Path.GetFullPath(a).TrimEnd(Path.DirectorySeparatorChar), Path.GetFullPath(b).TrimEnd(Path.DirectorySeparatorChar), StringComparison.Ordinal);

    private async Task RollBackAsync(LoadedModel failed, string reason)
    {
        await _work.WaitAsync();
        try
        {
            if (!_holder.RollBack())
            {
                return;
            }
            _stateFile.Update(state => new UpdateState
            {
                Active = state.Previous,
                Previous = null,
                Probation = null,
                Refused = state.Active is null ? state.Refused : [.. state.Refused, state.Active.Sha256],
            });
            _logger.LogError("Model {Version} rolled back to {Previous}: {Reason}", failed.Manifest.Version, _holder.Current.Manifest.Version, reason);
            await ReportAsync($"rolled back: {reason}", null, CancellationToken.None, version: failed.Manifest.Version);
        }
        finally
        {
            _work.Release();
        }
    }

    private async Task ReportWhenConnectedAsync(string text, string version, CancellationToken cancellationToken)
    {
        try
        {
            await _link.WaitUntilConnectedAsync(cancellationToken);
            await ReportAsync(text, null, cancellationToken, version: version);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // stopping before the broker was reachable: nothing to report to
        }
    }

    private async Task ReportAsync(string text, UpdateManifest? manifest, CancellationToken cancellationToken, int? percent = null, string? version = null)
    {
        var status = new ModelUpdateStatus
        {
            State = text,
            Version = version ?? manifest?.Version,
            Sha256 = manifest?.Sha256,
            ActiveVersion = _holder.Current.Manifest.Version,
            Percent = percent,
            At = _time.GetUtcNow(),
        };
        try
        {
            await _link.PublishAsync(new MqttApplicationMessageBuilder()
                .WithTopic(Topics.ModelStatus(_mqtt.Site, _mqtt.DeviceId))
                .WithPayload(JsonSerializer.SerializeToUtf8Bytes(status, ModelUpdatesJsonContext.Default.ModelUpdateStatus))
                .WithContentType("application/json")
                .WithRetainFlag()
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
                .Build(), cancellationToken);
        }
        catch (LinkUnavailableException ex)
        {
            _logger.LogWarning("Model status '{Status}' not published: {Reason}", text, ex.Message);
        }
    }

    public override void Dispose()
    {
        _work.Dispose();
        base.Dispose();
    }

    /// <summary>Reports synchronously on the downloader's thread, in order.</summary>
    private sealed class Progress(Action<DownloadProgress> report) : IProgress<DownloadProgress>
    {
        public void Report(DownloadProgress value) => report(value);
    }
}
