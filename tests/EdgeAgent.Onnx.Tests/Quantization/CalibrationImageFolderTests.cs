using EdgeAgent.Onnx.Quantization;

namespace EdgeAgent.Onnx.Tests.Quantization;

public sealed class CalibrationImageFolderTests
{
    private static readonly string[] Labels = ["covid", "pneumonia", "normal"];

    private static float[] FakeLoad(string path) =>
        File.ReadAllBytes(path).Length > 0 ? [1f] : throw new InvalidDataException("zero-byte file");

    [Fact]
    public void A_missing_folder_is_named_in_the_error()
    {
        using var temp = new TempDirectory();
        var missing = temp.Combine("nope");
        var ex = Assert.Throws<CalibrationDataException>(() => CalibrationImageFolder.Open(missing, Labels, FakeLoad));
        Assert.Contains("does not exist", ex.Message, StringComparison.Ordinal);
        Assert.Contains(missing, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_empty_folder_is_refused()
    {
        using var temp = new TempDirectory();
        var ex = Assert.Throws<CalibrationDataException>(() => CalibrationImageFolder.Open(temp.Path, Labels, FakeLoad));
        Assert.Contains("is empty", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_folder_without_images_lists_what_it_found()
    {
        using var temp = new TempDirectory();
        File.WriteAllText(temp.Combine("notes.txt"), "x");
        File.WriteAllText(temp.Combine("data.csv"), "x");
        var ex = Assert.Throws<CalibrationDataException>(() => CalibrationImageFolder.Open(temp.Path, Labels, FakeLoad));
        Assert.Contains("no images", ex.Message, StringComparison.Ordinal);
        Assert.Contains(".txt", ex.Message, StringComparison.Ordinal);
        Assert.Contains(".csv", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unreadable_image_stops_with_its_path_and_reason()
    {
        using var temp = new TempDirectory();
        File.WriteAllBytes(temp.Combine("a.png"), [1, 2, 3]);
        File.WriteAllBytes(temp.Combine("b.png"), []);
        var folder = CalibrationImageFolder.Open(temp.Path, Labels, FakeLoad);
        var ex = Assert.Throws<CalibrationDataException>(() => folder.Samples().ToList());
        Assert.Contains("b.png", ex.Message, StringComparison.Ordinal);
        Assert.Contains("zero-byte file", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Labels_come_from_first_level_folder_names_case_insensitively()
    {
        using var temp = new TempDirectory();
        Directory.CreateDirectory(temp.Combine("Pneumonia"));
        Directory.CreateDirectory(temp.Combine("other"));
        File.WriteAllBytes(temp.Combine("Pneumonia", "x.png"), [1]);
        File.WriteAllBytes(temp.Combine("other", "y.jpg"), [1]);
        File.WriteAllBytes(temp.Combine("z.jpeg"), [1]);
        var samples = CalibrationImageFolder.Open(temp.Path, Labels, FakeLoad).Samples().ToDictionary(s => Path.GetFileName(s.Source), s => s.Label);
        Assert.Equal(1, samples["x.png"]);
        Assert.Null(samples["y.jpg"]);
        Assert.Null(samples["z.jpeg"]);
    }
}
