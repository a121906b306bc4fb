using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using EdgeAgent.Configuration;
using EdgeAgent.Inference;
using EdgeAgent.Inference.Safety;
using EdgeAgent.Messaging.Contracts;
using EdgeAgent.Models;
using EdgeAgent.Models.Updates;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeAgent.Pipeline;

/// <summary>
/// Takes one completely written input file to its end: read and hash it; recognise content already diagnosed
/// (ledger); decode, preprocess, classify; commit the result to every sink; record it in the ledger; and only then
/// move, delete or leave the input. A file that cannot be diagnosed goes to failed/ beside a .error.json.
/// </summary>
public sealed class InputProcessor
{
    private readonly AgentPaths paths;
    private readonly AgentOptions agent;
    private readonly InputOptions input;
    private readonly OutputOptions output;
    private readonly ModelHolder models;
    private readonly IImagePreparer preparer;
    private readonly IResultSink[] sinks;
    private readonly ProcessingLedger ledger;
    private readonly TimeProvider clock;
    private readonly ILogger logger;
    // Inputs with the same content being processed right now: the second waits for the first, then sees it in the ledger.
    private readonly ConcurrentDictionary<string, Task> inProgress = new(StringComparer.Ordinal);

    public InputProcessor(
        AgentPaths paths, IOptions<AgentOptions> agent, IOptions<InputOptions> input, IOptions<OutputOptions> output,
        ModelHolder models, IImagePreparer preparer, IEnumerable<IResultSink> sinks, ProcessingLedger ledger,
        TimeProvider clock, ILogger<InputProcessor> logger)
    {
        this.paths = paths;
        this.agent = agent.Value;
        this.input = input.Value;
        this.output = output.Value;
        this.models = models;
        this.preparer = preparer;
        this.sinks = [.. sinks];
        this.ledger = ledger;
        this.clock = clock;
        this.logger = logger;
    }

    public async Task<InputOutcome> ProcessAsync(string path, CancellationToken cancellationToken)
    {
        var fileName = Path.GetFileName(path);
        var stage = "read";
        string? sha = null;
        try
        {
            var total = Stopwatch.StartNew();
            var content = await ReadAsync(path, fileName, cancellationToken);
            if (content is null)
            {
                return new InputOutcome(fileName, InputOutcomeKind.Vanished);
            }

            sha = Convert.ToHexStringLower(SHA256.HashData(content));
            var acquiredAt = new DateTimeOffset(File.GetLastWriteTimeUtc(path), TimeSpan.Zero);
            var mine = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            while (!inProgress.TryAdd(sha, mine.Task))
            {
                if (inProgress.TryGetValue(sha, out var other))
                {
                    await other.WaitAsync(cancellationToken);
                }
            }

            try
            {
                if (ledger.Find(sha) is { } known)
                {
                    Finish(path, sha);
                    AgentLog.Duplicate(logger, fileName, known.FileName, known.ResultId);
                    return new InputOutcome(fileName, InputOutcomeKind.Duplicate, known.ResultId, $"same content as {known.FileName}");
                }

                // The model is read once per item: a swap during this item leaves it on the model it started with.
                using var lease = models.Acquire();
                var model = lease.Model;
                var resultId = ResultIds.For(sha, model.Manifest.Name, model.Manifest.Version);
                if (sinks.All(sink => sink.Holds(resultId)))
                {
                    // A previous run committed this result everywhere and stopped (crash, power cut) before the ledger record
                    // and the move: finish that run's work instead of diagnosing the input a second time.
                    ledger.Record(new LedgerEntry(sha, resultId, fileName, $"{model.Manifest.Name}@{model.Manifest.Version}", clock.GetUtcNow()));
                    Finish(path, sha);
                    AgentLog.Recovered(logger, fileName, resultId);
                    return new InputOutcome(fileName, InputOutcomeKind.Diagnosed, resultId, Reason: "committed before a restart; not diagnosed again");
                }

                stage = "decode";
                var image = preparer.Prepare(content, fileName, model.Manifest.Input);
                if (image.Rejections.Count > 0)
                {
                    return await RejectAsync(path, model, resultId, fileName, sha, image, acquiredAt, total, cancellationToken);
                }

                stage = "inference";
                Diagnosis diagnosis;
                try
                {
                    diagnosis = model.Classifier.Classify(image.Tensor, cancellationToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    models.Observe(lease, null, ex);
                    throw;
                }
                models.Observe(lease, diagnosis, null);
                var safety = OodAssessor.Assess(diagnosis, model.Manifest.Safety);
                stage = "overlay";
                var overlayClock = Stopwatch.StartNew();
                var overlay = RenderOverlay(image, model, diagnosis, SafetyAssessment.Banner(safety.Status));
                var timings = new Dictionary<string, double>
                {
                    ["decode"] = image.DecodeMs,
                    ["preprocess"] = image.PreprocessMs,
                };
                foreach (var (key, value) in diagnosis.TimingsMs)
                {
                    timings[key] = value;
                }

                if (overlay is not null)
                {
                    timings["overlay"] = overlayClock.Elapsed.TotalMilliseconds;
                }

                timings["total"] = total.Elapsed.TotalMilliseconds;
                var result = BuildResult(model, resultId, fileName, sha, image, diagnosis, safety, timings, acquiredAt, overlay is not null);
                stage = "store";
                foreach (var sink in sinks)
                {
                    await sink.CommitAsync(result, overlay, cancellationToken);
                }

                await WriteExtraOverlayAsync(image, model, diagnosis, SafetyAssessment.Banner(safety.Status), resultId, cancellationToken);
                ledger.Record(new LedgerEntry(sha, resultId, fileName, $"{model.Manifest.Name}@{model.Manifest.Version}", clock.GetUtcNow()));
                Finish(path, sha);
                AgentLog.Diagnosed(logger, fileName, diagnosis.Label, diagnosis.Confidence, resultId, total.Elapsed.TotalMilliseconds);
                return new InputOutcome(fileName, InputOutcomeKind.Diagnosed, resultId, Label: diagnosis.Label);
            }
            finally
            {
                inProgress.TryRemove(sha, out _);
                mine.TrySetResult();
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return new InputOutcome(fileName, InputOutcomeKind.Deferred, Reason: "the agent is stopping");
        }
        catch (ResultNotAcceptedException ex)
        {
            AgentLog.Deferred(logger, fileName, ex.Message);
            return new InputOutcome(fileName, InputOutcomeKind.Deferred, Reason: ex.Message);
        }
        catch (ImageRejectedException ex)
        {
            return Quarantine(path, fileName, sha, ex.Stage, ex.Message, ex.InnerException);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException && !File.Exists(path))
        {
            return new InputOutcome(fileName, InputOutcomeKind.Vanished);
        }
        catch (Exception ex)
        {
            AgentLog.UnexpectedFailure(logger, ex, fileName);
            var reason = $"The agent failed while {Describe(stage)}: {ex.Message}. Put the file back into the watch folder to try again; " +
                         "if it fails again, send this report to whoever maintains the agent.";
            return Quarantine(path, fileName, sha, stage, reason, ex);
        }
    }

    private async Task<byte[]?> ReadAsync(string path, string fileName, CancellationToken cancellationToken)
    {
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        catch (DirectoryNotFoundException)
        {
            return null;
        }

        await using (stream)
        {
            if (stream.Length == 0)
            {
                throw new ImageRejectedException("read", $"'{fileName}' is empty (0 bytes). Copy the image again; the transfer probably failed.");
            }

            if (stream.Length > input.MaxFileBytes)
            {
                throw new ImageRejectedException("read",
                    $"'{fileName}' is {stream.Length:N0} bytes, more than the {input.MaxFileBytes:N0} allowed (Input:MaxFileBytes). " +
                    "Export a smaller image, or raise the limit if the file is genuine.");
            }

            var content = new byte[stream.Length];
            await stream.ReadExactlyAsync(content, cancellationToken);
            return content;
        }
    }

    /// <summary>The quality gate refused the image: publish a "rejected" result with its reasons (never drop it silently).</summary>
    private async Task<InputOutcome> RejectAsync(
        string path, LoadedModel model, string resultId, string fileName, string sha, PreparedImage image, DateTimeOffset acquiredAt, Stopwatch total, CancellationToken cancellationToken)
    {
        var identity = (image.Dicom ?? new InputIdentity { FileName = fileName, Sha256 = sha }) with { FileName = fileName, Sha256 = sha };
        var result = new ResultMessage
        {
            ResultId = resultId,
            DeviceId = agent.DeviceId,
            Site = agent.Site,
            Input = identity,
            Model = model.Identity,
            Status = ResultStatus.Rejected,
            Reasons = image.Rejections,
            TimingsMs = new Dictionary<string, double> { ["decode"] = image.DecodeMs, ["gate"] = image.PreprocessMs, ["total"] = total.Elapsed.TotalMilliseconds },
            AcquiredAt = acquiredAt,
            DiagnosedAt = clock.GetUtcNow(),
        };
        foreach (var sink in sinks)
        {
            await sink.CommitAsync(result, null, cancellationToken);
        }

        ledger.Record(new LedgerEntry(sha, resultId, fileName, $"{model.Manifest.Name}@{model.Manifest.Version}", clock.GetUtcNow()));
        Finish(path, sha);
        AgentLog.Rejected(logger, fileName, resultId, string.Join(" ", image.Rejections));
        return new InputOutcome(fileName, InputOutcomeKind.Diagnosed, resultId, Reason: string.Join(" ", image.Rejections));
    }

    /// <summary>The overlay of the item's own (leased) model: its legend names the version that made this result.</summary>
    private byte[]? RenderOverlay(PreparedImage image, LoadedModel model, Diagnosis diagnosis, string? banner)
    {
        if (!output.Overlays || diagnosis.Cams is null || image.RenderOverlay is null)
        {
            return null;
        }

        return image.RenderOverlay(model.Manifest, diagnosis, diagnosis.Label, banner);
    }

    /// <summary>Output:OverlayClass: a second overlay for a chosen label (e.g. covid), in the results folder only.</summary>
    private async Task WriteExtraOverlayAsync(PreparedImage image, LoadedModel model, Diagnosis diagnosis, string? banner, string resultId, CancellationToken cancellationToken)
    {
        if (!output.Overlays || output.OverlayClass is not { Length: > 0 } label || label == diagnosis.Label
            || diagnosis.Cams is null || !diagnosis.Cams.ContainsKey(label) || image.RenderOverlay is null)
        {
            return;
        }

        if (image.RenderOverlay(model.Manifest, diagnosis, label, banner) is { } png)
        {
            await AtomicFile.WriteAsync(Path.Combine(paths.ResultsFolder, $"{resultId}.{label}.png"), png, cancellationToken);
        }
    }

    private ResultMessage BuildResult(
        LoadedModel model, string resultId, string fileName, string sha, PreparedImage image, Diagnosis diagnosis, SafetyAssessment safety,
        Dictionary<string, double> timings, DateTimeOffset acquiredAt, bool hasOverlay)
    {
        var identity = (image.Dicom ?? new InputIdentity { FileName = fileName, Sha256 = sha }) with { FileName = fileName, Sha256 = sha };
        var reasons = new List<string>();
        if (!model.Manifest.Trained)
        {
            reasons.Add($"Model {model.Manifest.Name} is an untrained fixture: this result is not a diagnosis.");
        }

        reasons.AddRange(safety.Reasons);

        return new ResultMessage
        {
            ResultId = resultId,
            DeviceId = agent.DeviceId,
            Site = agent.Site,
            Input = identity,
            Model = model.Identity,
            Status = SafetyAssessment.WireName(safety.Status),
            Reasons = reasons,
            Label = diagnosis.Label,
            Probabilities = diagnosis.Probabilities,
            OodScore = safety.OodScore,
            FeatureDistance = safety.FeatureDistance,
            TimingsMs = timings,
            AcquiredAt = acquiredAt,
            DiagnosedAt = clock.GetUtcNow(),
            HasOverlay = hasOverlay,
            // As rendered; the publisher changes it when the overlay must be shrunk or dropped on the way to the hub.
            OverlayStatus = hasOverlay ? OverlayStatuses.Full : null,
        };
    }

    /// <summary>The input's result is stored: apply Input:AfterProcessing.</summary>
    private void Finish(string path, string sha)
    {
        switch (input.AfterProcessing)
        {
            case AfterProcessing.Move:
                FileMover.MoveInto(path, paths.ProcessedFolder, sha[..8]);
                break;
            case AfterProcessing.Delete:
                File.Delete(path);
                break;
            case AfterProcessing.Leave:
                break;
        }
    }

    private InputOutcome Quarantine(string path, string fileName, string? sha, string stage, string reason, Exception? detail)
    {
        var now = clock.GetUtcNow();
        string target;
        try
        {
            target = FileMover.MoveInto(path, paths.FailedFolder, sha?[..8] ?? now.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        catch (FileNotFoundException)
        {
            return new InputOutcome(fileName, InputOutcomeKind.Vanished);
        }

        var report = new FailureReport
        {
            File = fileName,
            Sha256 = sha,
            Reason = reason,
            Stage = stage,
            Detail = detail is null ? null : $"{detail.GetType().Name}: {detail.Message}",
            FailedAt = now,
            DeviceId = agent.DeviceId,
        };
        File.WriteAllBytes(target + ".error.json", JsonSerializer.SerializeToUtf8Bytes(report, ResultFileJson.Default.FailureReport));
        AgentLog.Quarantined(logger, fileName, target, stage, reason);
        return new InputOutcome(fileName, InputOutcomeKind.Failed, Reason: reason);
    }

    private static string Describe(string stage) => stage switch
    {
        "read" => "reading the file",
        "decode" => "decoding the image",
        "inference" => "running the model",
        "overlay" => "drawing the overlay",
        "store" => "storing the result",
        _ => stage,
    };
}
