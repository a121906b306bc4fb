using EdgeAgent.Imaging;
using EdgeAgent.Imaging.Phantoms;
using EdgeAgent.Inference.Safety;

namespace EdgeAgent.Inference.Tests.Safety;

public sealed class InputQualityGateTests
{
    private static readonly DecodedImage Chest = new PhantomGenerator(256).Generate(PhantomClass.Normal, 7).Image;
    private readonly InputQualityGate gate = new(new SafetyOptions());

    [Fact]
    public void A_chest_phantom_passes_with_no_reasons()
    {
        var verdict = gate.Check(Chest);
        Assert.True(verdict.Accepted, string.Join(" | ", verdict.Reasons));
        Assert.Empty(verdict.Reasons);
    }

    [Fact]
    public void Too_small_is_rejected_naming_the_size()
    {
        var small = BadInputs.Crop(Chest, 100, 100);
        var reason = Assert.Single(gate.Check(small).Reasons, r => r.StartsWith("Image too small", StringComparison.Ordinal));
        Assert.Contains("100x100", reason, StringComparison.Ordinal);
        // One pixel above the limit on the short side passes this rule.
        Assert.DoesNotContain(gate.Check(BadInputs.Crop(Chest, 200, 200)).Reasons, r => r.StartsWith("Image too small", StringComparison.Ordinal));
    }

    [Fact]
    public void Extreme_aspect_ratio_is_rejected()
    {
        var strip = BadInputs.Crop(Chest, 256, 120);
        var gateForStrip = new InputQualityGate(new SafetyOptions { MinSide = 100 });
        Assert.Contains(gateForStrip.Check(strip).Reasons, r => r.StartsWith("Image shape is unusual", StringComparison.Ordinal));
        Assert.DoesNotContain(gateForStrip.Check(BadInputs.Crop(Chest, 256, 200)).Reasons, r => r.StartsWith("Image shape", StringComparison.Ordinal));
    }

    [Fact]
    public void A_blank_frame_is_rejected_with_one_reason()
    {
        var blank = new NonChestPhantomGenerator(256).Generate(NonChestKind.Blank, 3).Image;
        var reason = Assert.Single(gate.Check(blank).Reasons);
        Assert.StartsWith("Image is blank or nearly uniform", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Under_and_over_exposure_are_rejected()
    {
        Assert.Contains(gate.Check(BadInputs.Dark(Chest)).Reasons, r => r.Contains("under-exposed", StringComparison.Ordinal));
        Assert.Contains(gate.Check(BadInputs.Bright(Chest)).Reasons, r => r.Contains("over-exposed", StringComparison.Ordinal));
    }

    [Fact]
    public void Heavy_blur_is_rejected_as_blur_only()
    {
        // Blur keeps exposure and symmetry, so blur is the one reason given.
        var reason = Assert.Single(gate.Check(BadInputs.Blurred(Chest)).Reasons);
        Assert.StartsWith("Image is too blurred", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void White_noise_is_rejected_as_noise()
    {
        var random = new Random(5);
        var noise = new DecodedImage(256, 256, 1, [.. Enumerable.Range(0, 256 * 256).Select(_ => (float)random.Next(256))]);
        Assert.Contains(gate.Check(noise).Reasons, r => r.StartsWith("Image is dominated by noise", StringComparison.Ordinal));
    }

    [Fact]
    public void A_mirror_image_is_perfectly_symmetric_and_a_one_sided_picture_is_not()
    {
        // Left half bright, right half dark: the mirror swaps them, correlation exactly -1.
        var pixels = new float[64 * 64];
        for (var i = 0; i < pixels.Length; i++)
        {
            pixels[i] = i % 64 < 32 ? 200 : 50;
        }

        var halves = new DecodedImage(64, 64, 1, pixels);
        Assert.Equal(-1.0, MirrorSymmetry.Of(halves), 6);
        Assert.Contains(new InputQualityGate(new SafetyOptions { MinSide = 32, MinSharpness = 0 }).Check(halves).Reasons,
            r => r.StartsWith("Image does not look like a frontal chest", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("MR", null, null, "DICOM Modality is MR")]
    [InlineData("DX", "HAND", null, "DICOM BodyPartExamined is HAND")]
    [InlineData("CR", "CHEST", "LL", "DICOM ViewPosition is LL")]
    [InlineData(null, null, "lat", "DICOM ViewPosition is lat")]
    public void Dicom_attributes_that_say_not_a_frontal_chest_view_are_rejected(string? modality, string? bodyPart, string? view, string expected)
    {
        var dicom = BadInputs.WithDicom(Chest, new DicomAttributes { Modality = modality, BodyPartExamined = bodyPart, ViewPosition = view });
        var reason = Assert.Single(gate.Check(dicom).Reasons);
        Assert.StartsWith(expected, reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("DX", "CHEST", "PA")]
    [InlineData("cr", "chest", "AP")]
    [InlineData(null, null, null)]
    [InlineData("", " ", "")]
    public void Dicom_frontal_chest_or_absent_tags_pass(string? modality, string? bodyPart, string? view)
    {
        var dicom = BadInputs.WithDicom(Chest, new DicomAttributes { Modality = modality, BodyPartExamined = bodyPart, ViewPosition = view });
        Assert.True(gate.Check(dicom).Accepted);
    }

    [Fact]
    public void Dicom_rules_apply_even_with_the_quality_gate_off()
    {
        var offGate = new InputQualityGate(new SafetyOptions { QualityGate = false });
        var blank = new NonChestPhantomGenerator(256).Generate(NonChestKind.Blank, 3).Image;
        Assert.True(offGate.Check(blank).Accepted);
        Assert.False(offGate.Check(BadInputs.WithDicom(Chest, new DicomAttributes { BodyPartExamined = "KNEE" })).Accepted);
    }

    [Fact]
    public void Configured_lists_replace_the_defaults()
    {
        var custom = new InputQualityGate(new SafetyOptions { AllowedBodyParts = ["THORAX"] });
        Assert.False(custom.Check(BadInputs.WithDicom(Chest, new DicomAttributes { BodyPartExamined = "CHEST" })).Accepted);
        Assert.True(custom.Check(BadInputs.WithDicom(Chest, new DicomAttributes { BodyPartExamined = "thorax" })).Accepted);
    }

    [Fact]
    public void Invalid_options_name_the_key()
    {
        var errors = new SafetyOptions { MinSide = 0, MaxDarkFraction = 1.5, MinMeanLevel = 200, MaxMeanLevel = 100, AllowedModalities = [""] }.Validate();
        Assert.Contains(errors, e => e.StartsWith("Safety:MinSide ", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Safety:MaxDarkFraction ", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Safety:MinMeanLevel must be below Safety:MaxMeanLevel", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Safety:AllowedModalities ", StringComparison.Ordinal));
        Assert.Empty(new SafetyOptions().Validate());
        var ex = Assert.Throws<ArgumentException>(() => new InputQualityGate(new SafetyOptions { MaxSharpness = 1 }));
        Assert.Contains("Safety:MaxSharpness", ex.Message, StringComparison.Ordinal);
    }
}
