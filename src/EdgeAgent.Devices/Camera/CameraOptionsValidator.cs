using Microsoft.Extensions.Options;

namespace EdgeAgent.Devices.Camera;

/// <summary>Stops start-up with a message naming the configuration key when the camera section is wrong.</summary>
public sealed class CameraOptionsValidator : IValidateOptions<CameraOptions>
{
    public ValidateOptionsResult Validate(string? name, CameraOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        const string S = CameraOptions.SectionName;
        if (options.DeviceIndex < 0) failures.Add($"{S}:DeviceIndex must be 0 or more (the N in /dev/videoN); it is {options.DeviceIndex}.");
        if (options.Width is < 16 or > 8192) failures.Add($"{S}:Width must be between 16 and 8192 pixels; it is {options.Width}.");
        if (options.Height is < 16 or > 8192) failures.Add($"{S}:Height must be between 16 and 8192 pixels; it is {options.Height}.");
        if (options.PixelFormat == FramePixelFormat.Yuyv && options.Width % 2 != 0) failures.Add($"{S}:Width must be even for Yuyv (two pixels share one U/V pair); it is {options.Width}.");
        if (options.IntervalSeconds < 0 || double.IsNaN(options.IntervalSeconds)) failures.Add($"{S}:IntervalSeconds must be 0 (off) or positive; it is {options.IntervalSeconds}.");
        if (options.IntervalSeconds is > 0 and < 1) failures.Add($"{S}:IntervalSeconds below 1 s would queue diagnoses faster than a Pi can run them; it is {options.IntervalSeconds}.");
        if (options.ButtonPin is < 0) failures.Add($"{S}:ButtonPin must be a GPIO number (0 or more) or left out; it is {options.ButtonPin}.");
        if (options.StatusLedPin is < 0) failures.Add($"{S}:StatusLedPin must be a GPIO number (0 or more) or left out; it is {options.StatusLedPin}.");
        if (options.ButtonPin is not null && options.ButtonPin == options.StatusLedPin) failures.Add($"{S}:ButtonPin and {S}:StatusLedPin are both {options.ButtonPin}; they need their own pins.");
        if (options.ButtonDebounceMilliseconds is < 1 or > 1000) failures.Add($"{S}:ButtonDebounceMilliseconds must be between 1 and 1000; it is {options.ButtonDebounceMilliseconds}.");
        if (options.ErrorLedSeconds is < 0 or > 3600) failures.Add($"{S}:ErrorLedSeconds must be between 0 and 3600; it is {options.ErrorLedSeconds}.");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
