using EdgeAgent.Devices.Camera;

namespace EdgeAgent.Devices.Tests;

public sealed class CameraOptionsValidatorTests
{
    [Fact]
    public void Defaults_are_valid()
    {
        Assert.True(new CameraOptionsValidator().Validate(null, new CameraOptions()).Succeeded);
    }

    [Fact]
    public void Each_bad_value_is_named_by_its_configuration_key()
    {
        var options = new CameraOptions { Width = 641, IntervalSeconds = 0.2, ButtonPin = 17, StatusLedPin = 17, ButtonDebounceMilliseconds = 0 };

        var result = new CameraOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        var failures = result.Failures!.ToList();
        Assert.Contains(failures, f => f.StartsWith("Devices:Camera:Width must be even for Yuyv", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Devices:Camera:IntervalSeconds below 1 s", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Devices:Camera:ButtonPin and Devices:Camera:StatusLedPin are both 17", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Devices:Camera:ButtonDebounceMilliseconds", StringComparison.Ordinal));
        Assert.Equal(4, failures.Count);
    }
}
