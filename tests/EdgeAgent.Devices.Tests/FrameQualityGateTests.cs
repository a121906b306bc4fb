using EdgeAgent.Devices.Quality;

namespace EdgeAgent.Devices.Tests;

public sealed class FrameQualityGateTests
{
    private readonly FrameQualityGate _gate = new(new FrameQualityOptions());

    [Theory]
    [InlineData(512, 512)]
    [InlineData(1280, 720)]
    [InlineData(640, 480)]
    public void A_sharp_well_exposed_chest_frame_is_accepted(int width, int height)
    {
        var verdict = _gate.Evaluate(Phantom.Chest(width, height));

        Assert.True(verdict.IsAccepted, string.Join(" ", verdict.Rejections.Select(r => r.Reason)));
    }

    [Fact]
    public void A_black_frame_is_rejected_as_black_with_what_to_check()
    {
        var verdict = _gate.Evaluate(Phantom.Uniform(640, 480, 0.01f, noise: 0.02f));

        var rejection = Assert.Single(verdict.Rejections);
        Assert.Equal(FrameRejectionKind.Black, rejection.Kind);
        Assert.Equal("frame-black", rejection.Code);
        Assert.Contains("The frame is black (average brightness 1% of full scale)", rejection.Reason);
        Assert.Contains("light box", rejection.Reason);
    }

    [Fact]
    public void A_blank_grey_frame_is_rejected_as_blank_not_blurred()
    {
        // An empty light box photographed: mid grey with sensor noise, nothing on it.
        var verdict = _gate.Evaluate(Phantom.Uniform(640, 480, 0.6f, noise: 0.02f));

        var rejection = Assert.Single(verdict.Rejections);
        Assert.Equal(FrameRejectionKind.Blank, rejection.Kind);
        Assert.StartsWith("The frame is blank: almost no contrast", rejection.Reason);
    }

    [Fact]
    public void An_over_exposed_frame_is_rejected_as_saturated_with_the_clipped_share()
    {
        var overExposed = Phantom.Expose(Phantom.Chest(640, 480), gain: 3f);

        var verdict = _gate.Evaluate(overExposed);

        var rejection = Assert.Single(verdict.Rejections);
        Assert.Equal(FrameRejectionKind.Saturated, rejection.Kind);
        Assert.Matches(@"over-exposed: \d+% of it is pure white \(at most 25% allowed\)", rejection.Reason);
        Assert.True(verdict.Statistics.SaturatedFraction > 0.25);
    }

    [Fact]
    public void An_all_white_frame_is_rejected_as_saturated()
    {
        var verdict = _gate.Evaluate(Phantom.Uniform(320, 240, 1f));

        Assert.Equal(FrameRejectionKind.Saturated, Assert.Single(verdict.Rejections).Kind);
    }

    [Theory]
    [InlineData(512, 512, 2)]
    [InlineData(1280, 720, 5)]
    public void A_blurred_frame_is_rejected_as_blurred_with_its_sharpness(int width, int height, int radius)
    {
        // radius = reduction factor: three box passes of radius 1 at the 256 px analysis scale (sigma 1.4 px).
        var blurred = Phantom.Blur(Phantom.Chest(width, height), radius);

        var verdict = _gate.Evaluate(blurred);

        var rejection = Assert.Single(verdict.Rejections);
        Assert.Equal(FrameRejectionKind.Blurred, rejection.Kind);
        Assert.Matches(@"The frame is blurred \(sharpness 0\.\d\d, at least 0\.15 needed\)", rejection.Reason);
    }

    [Fact]
    public void Thresholds_come_from_configuration()
    {
        var blurred = Phantom.Blur(Phantom.Chest(512, 512), 2);
        var lenient = new FrameQualityGate(new FrameQualityOptions { MinSharpness = 0.01 });

        Assert.True(lenient.Evaluate(blurred).IsAccepted);
        Assert.False(_gate.Evaluate(blurred).IsAccepted);
    }

    [Fact]
    public void A_frame_too_small_for_the_model_is_rejected()
    {
        var verdict = _gate.Evaluate(Phantom.Chest(160, 120));

        var rejection = Assert.Single(verdict.Rejections);
        Assert.Equal("frame-too-small", rejection.Code);
        Assert.Contains("160x120", rejection.Reason);
    }
}
