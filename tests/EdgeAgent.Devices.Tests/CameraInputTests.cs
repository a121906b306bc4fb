using System.Threading.Channels;
using EdgeAgent.Devices.Camera;
using EdgeAgent.Devices.Frames;
using EdgeAgent.Devices.Gpio;
using EdgeAgent.Devices.Input;
using EdgeAgent.Devices.Quality;
using EdgeAgent.Devices.Status;
using EdgeAgent.Devices.Triggers;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace EdgeAgent.Devices.Tests;

public sealed class CameraInputTests : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 7, 9, 0, 0, TimeSpan.Zero));
    private readonly SimulatedFrameSource _camera;
    private readonly CaptureRequestQueue _queue;
    private readonly RecordingPipeline _pipeline = new();
    private readonly SimulatedDigitalOutput _ledPin;
    private readonly StatusIndicator _status;
    private readonly CameraInput _input;

    public CameraInputTests()
    {
        _camera = new SimulatedFrameSource("/dev/video0", _clock);
        _queue = new CaptureRequestQueue(_clock);
        _ledPin = new SimulatedDigitalOutput(_clock);
        _status = new StatusIndicator(new StatusLed(_ledPin, _clock), TimeSpan.FromSeconds(5), _clock);
        _input = new CameraInput(_camera, new FrameDecoder(), new FrameQualityGate(new FrameQualityOptions()), _queue, _pipeline, _status, NullLogger<CameraInput>.Instance);
    }

    public void Dispose()
    {
        _input.Dispose();
        _status.Dispose();
        _camera.Dispose();
    }

    /// <summary>Stands in for the agent's diagnosis pipeline: records what it is handed.</summary>
    private sealed class RecordingPipeline : ICapturedFrameSink
    {
        private readonly Channel<string> _events = Channel.CreateUnbounded<string>();

        public List<CapturedFrame> Accepted { get; } = [];

        public List<CapturedFrame> Rejected { get; } = [];

        public List<(CaptureRequest Request, string Reason)> Failed { get; } = [];

        public bool ThrowOnNextAccept { get; set; }

        public ValueTask OnFrameAcceptedAsync(CapturedFrame frame, CancellationToken cancellationToken)
        {
            if (ThrowOnNextAccept)
            {
                ThrowOnNextAccept = false;
                _events.Writer.TryWrite("threw");
                throw new InvalidOperationException("diagnosis failed");
            }

            Accepted.Add(frame);
            _events.Writer.TryWrite("accepted");
            return ValueTask.CompletedTask;
        }

        public ValueTask OnFrameRejectedAsync(CapturedFrame frame, CancellationToken cancellationToken)
        {
            Rejected.Add(frame);
            _events.Writer.TryWrite("rejected");
            return ValueTask.CompletedTask;
        }

        public ValueTask OnCaptureFailedAsync(CaptureRequest request, string reason, CancellationToken cancellationToken)
        {
            Failed.Add((request, reason));
            _events.Writer.TryWrite("failed");
            return ValueTask.CompletedTask;
        }

        public async Task<string> NextAsync() => await _events.Reader.ReadAsync().AsTask().WaitAsync(Wait);
    }

    private void LoadYuyv(GreyFrame frame) => _camera.Enqueue(Phantom.ToYuyv(frame), frame.Width, frame.Height, FramePixelFormat.Yuyv);

    [Fact]
    public async Task A_button_press_takes_a_frame_that_passes_the_gate_and_reaches_the_pipeline()
    {
        var chest = Phantom.Chest(640, 480);
        LoadYuyv(chest);
        var pin = new SimulatedDigitalInput(initialLevel: true);
        using var button = new DebouncedButton(pin, activeLow: true, TimeSpan.FromMilliseconds(50), _clock);
        using var trigger = new ButtonCaptureTrigger(button, _queue, NullLogger<ButtonCaptureTrigger>.Instance);
        await _input.StartAsync(CancellationToken.None);

        pin.SetLevel(false);
        _clock.Advance(TimeSpan.FromMilliseconds(50));

        Assert.Equal("accepted", await _pipeline.NextAsync());
        await _input.StopAsync(CancellationToken.None);
        var frame = Assert.Single(_pipeline.Accepted);
        Assert.Equal(CaptureTrigger.Button, frame.Request.Trigger);
        Assert.Equal("/dev/video0", frame.Raw.DeviceName);
        Assert.True(frame.Quality.IsAccepted);
        Assert.Equal(1, _camera.CaptureCount);
        // YUYV video range stores 219 steps: the round trip is exact to half a step.
        for (var i = 0; i < chest.Pixels.Length; i += 997)
        {
            Assert.Equal(chest.Pixels[i], frame.Image.Pixels[i], 0.5 / 219);
        }

        Assert.Equal(DeviceStatus.Ready, _status.Status);
    }

    [Fact]
    public async Task A_blank_frame_is_handed_over_as_rejected_with_its_reason_and_the_led_shows_an_error()
    {
        LoadYuyv(Phantom.Uniform(640, 480, 0.6f, noise: 0.02f));
        await _input.StartAsync(CancellationToken.None);

        Assert.True(_queue.TryRequest(CaptureTrigger.Command, correlationId: "cmd-42"));

        Assert.Equal("rejected", await _pipeline.NextAsync());
        await _input.StopAsync(CancellationToken.None);
        var frame = Assert.Single(_pipeline.Rejected);
        Assert.Empty(_pipeline.Accepted);
        Assert.Equal("cmd-42", frame.Request.CorrelationId);
        var rejection = Assert.Single(frame.Quality.Rejections);
        Assert.Equal(FrameRejectionKind.Blank, rejection.Kind);
        Assert.Contains("Is the film on the light box", rejection.Reason);
        Assert.Equal(DeviceStatus.Error, _status.Status);

        _clock.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(DeviceStatus.Ready, _status.Status);
    }

    [Fact]
    public async Task An_mjpeg_camera_frame_is_decoded_judged_and_handed_over()
    {
        var chest = Phantom.Chest(640, 480);
        using var bitmap = new SkiaSharp.SKBitmap(new SkiaSharp.SKImageInfo(640, 480, SkiaSharp.SKColorType.Gray8, SkiaSharp.SKAlphaType.Opaque));
        var bytes = chest.Pixels.Select(p => (byte)Math.Round(p * 255)).ToArray();
        System.Runtime.InteropServices.Marshal.Copy(bytes, 0, bitmap.GetPixels(), bytes.Length);
        using var jpeg = bitmap.Encode(SkiaSharp.SKEncodedImageFormat.Jpeg, 90);
        _camera.Enqueue(jpeg.ToArray(), 640, 480, FramePixelFormat.Mjpeg);

        var served = await _input.ServeAsync(new CaptureRequest(CaptureTrigger.Button, _clock.GetUtcNow()), CancellationToken.None);

        Assert.True(served);
        var frame = Assert.Single(_pipeline.Accepted);
        Assert.Equal((640, 480), (frame.Image.Width, frame.Image.Height));
        // Quality 90 JPEG: the mean over the frame survives to well within one grey level (errors average out).
        Assert.Equal(chest.Pixels.Average(), frame.Image.Pixels.Average(), 1.0 / 255);
    }

    [Fact]
    public async Task Interval_trigger_captures_on_each_tick()
    {
        LoadYuyv(Phantom.Chest(512, 512));
        using var interval = new IntervalCaptureTrigger(_queue, TimeSpan.FromSeconds(30), _clock, NullLogger<IntervalCaptureTrigger>.Instance);
        await _input.StartAsync(CancellationToken.None);
        await interval.StartAsync(CancellationToken.None);

        _clock.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal("accepted", await _pipeline.NextAsync());
        _clock.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal("accepted", await _pipeline.NextAsync());

        await interval.StopAsync(CancellationToken.None);
        await _input.StopAsync(CancellationToken.None);
        Assert.All(_pipeline.Accepted, f => Assert.Equal(CaptureTrigger.Interval, f.Request.Trigger));
        Assert.Equal(2, _camera.CaptureCount);
    }

    [Fact]
    public async Task An_unplugged_camera_is_reported_and_the_next_request_still_served()
    {
        LoadYuyv(Phantom.Chest(512, 512));
        _camera.Disconnect();
        await _input.StartAsync(CancellationToken.None);

        _queue.TryRequest(CaptureTrigger.Button);
        Assert.Equal("failed", await _pipeline.NextAsync());
        Assert.Contains("/dev/video0: no such device", _pipeline.Failed[0].Reason);

        _camera.Reconnect();
        _queue.TryRequest(CaptureTrigger.Button);
        Assert.Equal("accepted", await _pipeline.NextAsync());
        await _input.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task A_frame_of_the_wrong_size_is_reported_as_a_failed_capture()
    {
        _camera.Enqueue(new byte[100], 640, 480, FramePixelFormat.Yuyv);

        var served = await _input.ServeAsync(new CaptureRequest(CaptureTrigger.Button, _clock.GetUtcNow()), CancellationToken.None);

        Assert.False(served);
        Assert.Contains("needs 614400 bytes, the device sent 100", Assert.Single(_pipeline.Failed).Reason);
    }

    [Fact]
    public async Task A_pipeline_failure_on_one_frame_does_not_stop_the_input()
    {
        LoadYuyv(Phantom.Chest(512, 512));
        _pipeline.ThrowOnNextAccept = true;
        await _input.StartAsync(CancellationToken.None);

        _queue.TryRequest(CaptureTrigger.Button);
        Assert.Equal("threw", await _pipeline.NextAsync());
        _queue.TryRequest(CaptureTrigger.Button);
        Assert.Equal("accepted", await _pipeline.NextAsync());
        await _input.StopAsync(CancellationToken.None);
    }

    [Fact]
    public void Requests_beyond_the_queue_capacity_are_refused()
    {
        for (var i = 0; i < CaptureRequestQueue.Capacity; i++)
        {
            Assert.True(_queue.TryRequest(CaptureTrigger.Button));
        }

        Assert.False(_queue.TryRequest(CaptureTrigger.Button));
        Assert.Equal(CaptureRequestQueue.Capacity, _queue.Pending);
    }
}
