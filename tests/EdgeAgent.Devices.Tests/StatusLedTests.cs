using EdgeAgent.Devices.Gpio;
using EdgeAgent.Devices.Status;
using Microsoft.Extensions.Time.Testing;

namespace EdgeAgent.Devices.Tests;

public sealed class StatusLedTests
{
    private readonly FakeTimeProvider _clock = new();
    private readonly SimulatedDigitalOutput _pin;
    private readonly StatusLed _led;

    public StatusLedTests()
    {
        _pin = new SimulatedDigitalOutput(_clock);
        _led = new StatusLed(_pin, _clock);
    }

    /// <summary>The level of the pin sampled every <paramref name="step"/> for <paramref name="samples"/> samples.</summary>
    private string Sample(TimeSpan step, int samples)
    {
        var levels = new char[samples];
        for (var i = 0; i < samples; i++)
        {
            levels[i] = _pin.Level ? '#' : '.';
            _clock.Advance(step);
        }

        return new string(levels);
    }

    [Fact]
    public void Ready_is_steady_on()
    {
        _led.Show(DeviceStatus.Ready);

        Assert.Equal(new string('#', 40), Sample(TimeSpan.FromMilliseconds(100), 40));
    }

    [Fact]
    public void Working_blinks_five_times_a_second()
    {
        _led.Show(DeviceStatus.Working);

        Assert.Equal("#.#.#.#.#.#.", Sample(TimeSpan.FromMilliseconds(100), 12));
    }

    [Fact]
    public void Error_flashes_three_times_then_pauses_and_repeats()
    {
        _led.Show(DeviceStatus.Error);

        // 50 ms samples: on 150, off 150, on 150, off 150, on 150, off 1050 (a 1.8 s cycle), then again.
        var expectedCycle = "###...###...###" + new string('.', 21);
        Assert.Equal(expectedCycle + expectedCycle, Sample(TimeSpan.FromMilliseconds(50), 72));
    }

    [Fact]
    public void Offline_blips_every_two_seconds()
    {
        _led.Show(DeviceStatus.Offline);

        Assert.Equal("#...................#...................", Sample(TimeSpan.FromMilliseconds(100), 40));
    }

    [Fact]
    public void Changing_status_restarts_the_pattern_and_off_stays_dark()
    {
        _led.Show(DeviceStatus.Working);
        _clock.Advance(TimeSpan.FromMilliseconds(150));
        _led.Show(DeviceStatus.Off);

        Assert.Equal(new string('.', 20), Sample(TimeSpan.FromMilliseconds(100), 20));
    }

    [Fact]
    public void Indicator_shows_working_over_error_over_offline_over_ready_and_clears_errors()
    {
        using var indicator = new StatusIndicator(_led, TimeSpan.FromSeconds(5), _clock);
        Assert.Equal(DeviceStatus.Off, indicator.Status);

        indicator.Started();
        Assert.Equal(DeviceStatus.Ready, indicator.Status);

        indicator.SetOnline(false);
        Assert.Equal(DeviceStatus.Offline, indicator.Status);

        indicator.BeginWork();
        Assert.Equal(DeviceStatus.Working, indicator.Status);

        indicator.EndWork(succeeded: false);
        Assert.Equal(DeviceStatus.Error, indicator.Status);

        _clock.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(DeviceStatus.Offline, indicator.Status);

        indicator.SetOnline(true);
        Assert.Equal(DeviceStatus.Ready, indicator.Status);
    }
}
