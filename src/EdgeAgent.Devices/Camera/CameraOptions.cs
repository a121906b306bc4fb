namespace EdgeAgent.Devices.Camera;

/// <summary>Configuration section <c>Devices:Camera</c>: which V4L2 device to use and how.</summary>
public sealed class CameraOptions
{
    public const string SectionName = "Devices:Camera";

    /// <summary>Off by default: most clinics feed the agent from a watch folder.</summary>
    public bool Enabled { get; set; }

    /// <summary>The N in /dev/videoN.</summary>
    public int DeviceIndex { get; set; }

    public int Width { get; set; } = 1280;

    public int Height { get; set; } = 720;

    /// <summary>Yuyv (uncompressed, best for grabbers) or Mjpeg (for cameras that only reach full resolution compressed).</summary>
    public FramePixelFormat PixelFormat { get; set; } = FramePixelFormat.Yuyv;

    /// <summary>
    /// True when the device sends full-range luma (0..255); false for the usual video range 16..235
    /// that V4L2 reports for YUYV (SMPTE 170M).
    /// </summary>
    public bool FullRangeYuyv { get; set; }

    /// <summary>Seconds between automatic captures; 0 turns the interval trigger off.</summary>
    public double IntervalSeconds { get; set; }

    /// <summary>GPIO (BCM) number of the capture push-button; null when there is no button.</summary>
    public int? ButtonPin { get; set; }

    /// <summary>The button pulls the pin to ground when pressed (internal pull-up used).</summary>
    public bool ButtonActiveLow { get; set; } = true;

    /// <summary>How long the button level must stay unchanged before a press counts.</summary>
    public int ButtonDebounceMilliseconds { get; set; } = 50;

    /// <summary>GPIO (BCM) number of the status LED; null when there is none.</summary>
    public int? StatusLedPin { get; set; }

    /// <summary>How long the LED shows the error pattern after a failed capture or a rejected frame.</summary>
    public int ErrorLedSeconds { get; set; } = 5;

    public string DevicePath => $"/dev/video{DeviceIndex}";
}
