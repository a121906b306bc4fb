using EdgeAgent.Devices.Gpio;
using Microsoft.Extensions.Time.Testing;

namespace EdgeAgent.Devices.Tests;

public sealed class DebouncedButtonTests
{
    private static readonly TimeSpan Debounce = TimeSpan.FromMilliseconds(50);
    private readonly FakeTimeProvider _clock = new();
    private readonly SimulatedDigitalInput _pin = new(initialLevel: true); // pull-up: released reads high
    private int _presses;

    private DebouncedButton Button()
    {
        var button = new DebouncedButton(_pin, activeLow: true, Debounce, _clock);
        button.Pressed += (_, _) => _presses++;
        return button;
    }

    private void Bounce(params bool[] levels)
    {
        foreach (var level in levels)
        {
            _pin.SetLevel(level);
            _clock.Advance(TimeSpan.FromMilliseconds(3));
        }
    }

    [Fact]
    public void A_bouncing_press_counts_once_after_the_level_settles()
    {
        using var button = Button();

        Bounce(false, true, false, true, false); // contact chatter, then held down
        Assert.Equal(0, _presses); // still bouncing 3 ms ago

        _clock.Advance(Debounce);
        Assert.Equal(1, _presses);

        _clock.Advance(TimeSpan.FromSeconds(5)); // held: no repeats
        Assert.Equal(1, _presses);
    }

    [Fact]
    public void A_glitch_shorter_than_the_debounce_time_is_ignored()
    {
        using var button = Button();

        _pin.SetLevel(false);
        _clock.Advance(TimeSpan.FromMilliseconds(20));
        _pin.SetLevel(true);
        _clock.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(0, _presses);
    }

    [Fact]
    public void A_second_press_counts_only_after_a_settled_release()
    {
        using var button = Button();
        _pin.SetLevel(false);
        _clock.Advance(Debounce);

        Bounce(true, false); // released for 3 ms only: still the same press
        _clock.Advance(Debounce);
        Assert.Equal(1, _presses);

        _pin.SetLevel(true);
        _clock.Advance(Debounce); // a settled release
        _pin.SetLevel(false);
        _clock.Advance(Debounce);
        Assert.Equal(2, _presses);
    }

    [Fact]
    public void An_active_high_button_counts_rising_levels()
    {
        var pin = new SimulatedDigitalInput(initialLevel: false);
        using var button = new DebouncedButton(pin, activeLow: false, Debounce, _clock);
        button.Pressed += (_, _) => _presses++;

        pin.SetLevel(true);
        _clock.Advance(Debounce);

        Assert.Equal(1, _presses);
    }
}
