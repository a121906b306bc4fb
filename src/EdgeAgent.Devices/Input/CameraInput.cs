using EdgeAgent.Devices.Camera;
using EdgeAgent.Devices.Frames;
using EdgeAgent.Devices.Quality;
using EdgeAgent.Devices.Status;
using EdgeAgent.Devices.Triggers;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.Devices.Input;

/// <summary>
/// Serves capture requests one at a time: take a frame, decode it, judge its quality, and hand the
/// outcome to the pipeline. A failing camera or a bad frame never stops the loop; it is reported
/// to the sink and shown on the status LED.
/// </summary>
public sealed class CameraInput : BackgroundService
{
    private readonly IFrameSource _camera;
    private readonly FrameDecoder _decoder;
    private readonly FrameQualityGate _gate;
    private readonly CaptureRequestQueue _requests;
    private readonly ICapturedFrameSink _sink;
    private readonly StatusIndicator _status;
    private readonly ILogger _logger;

    public CameraInput(
        IFrameSource camera,
        FrameDecoder decoder,
        FrameQualityGate gate,
        CaptureRequestQueue requests,
        ICapturedFrameSink sink,
        StatusIndicator status,
        ILogger<CameraInput> logger)
    {
        _camera = camera;
        _decoder = decoder;
        _gate = gate;
        _requests = requests;
        _sink = sink;
        _status = status;
        _logger = logger;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _status.Started();
        DevicesLog.CameraInputStarted(_logger, _camera.Name);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var request = await _requests.ReadAsync(stoppingToken);
                await ServeAsync(request, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Host shutting down.
        }
    }

    /// <summary>Serves one request end to end; returns true when a frame reached diagnosis.</summary>
    internal async Task<bool> ServeAsync(CaptureRequest request, CancellationToken cancellationToken)
    {
        _status.BeginWork();
        var succeeded = false;
        try
        {
            CapturedFrame frame;
            try
            {
                var raw = await _camera.CaptureAsync(cancellationToken);
                var image = _decoder.Decode(raw);
                frame = new CapturedFrame(request, raw, image, _gate.Evaluate(image));
            }
            catch (Exception ex) when (ex is CameraException or FrameDecodeException)
            {
                DevicesLog.CaptureFailed(_logger, _camera.Name, request.Trigger, ex.Message);
                await _sink.OnCaptureFailedAsync(request, ex.Message, cancellationToken);
                return false;
            }

            if (frame.Quality.IsAccepted)
            {
                await _sink.OnFrameAcceptedAsync(frame, cancellationToken);
                succeeded = true;
            }
            else
            {
                DevicesLog.FrameRejected(_logger, _camera.Name, string.Join(" ", frame.Quality.Rejections.Select(r => r.Reason)));
                await _sink.OnFrameRejectedAsync(frame, cancellationToken);
            }

            return succeeded;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The pipeline failed on this frame; the next request must still be served.
            DevicesLog.SinkFailed(_logger, _camera.Name, ex);
            return false;
        }
        finally
        {
            _status.EndWork(succeeded);
        }
    }
}
