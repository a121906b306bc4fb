using System.Diagnostics;
using EdgeAgent.Imaging.Dicom;
using SkiaSharp;

namespace EdgeAgent.Imaging.Tests;

/// <summary>
/// Files written by another implementation: dcmtk's img2dcm (JPEG encapsulated and uncompressed from BMP)
/// and dcmconv (re-encoded into every uncompressed syntax). test.sh installs dcmtk.
/// </summary>
public sealed class DcmtkInteropTests : IDisposable
{
    private readonly string _dir = TestImages.TempDirectory();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static void Run(string tool, params string[] arguments)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in arguments)
        {
            start.ArgumentList.Add(a);
        }
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"{tool} not found: install dcmtk (apt-get install dcmtk; test.sh does this)", e);
        }
        using (process)
        {
            var stderr = process.StandardError.ReadToEnd();
            process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            Assert.True(process.ExitCode == 0, $"{tool} {string.Join(' ', arguments)} failed: {stderr}");
        }
    }

    [Fact]
    public void Img2dcm_jpeg_encapsulated_file_decodes_like_the_jpeg()
    {
        var pixels = TestImages.GreyPattern(80, 60);
        var jpeg = TestImages.Encode(SKColorType.Gray8, 80, 60, pixels, SKEncodedImageFormat.Jpeg, 95);
        var jpegPath = Path.Combine(_dir, "in.jpg");
        var dcmPath = Path.Combine(_dir, "out.dcm");
        File.WriteAllBytes(jpegPath, jpeg);
        Run("img2dcm", jpegPath, dcmPath, "-k", "Modality=DX", "-k", "BodyPartExamined=CHEST", "-k", "ViewPosition=PA");

        var image = ImageDecoder.DecodeFile(dcmPath);
        var direct = ImageDecoder.Decode(jpeg, "in.jpg");
        Assert.Equal(DicomTransferSyntax.JpegBaseline8Bit, image.Dicom!.TransferSyntaxUid);
        Assert.Equal(("DX", "CHEST", "PA"), (image.Dicom.Modality, image.Dicom.BodyPartExamined, image.Dicom.ViewPosition));
        Assert.NotNull(image.Dicom.StudyInstanceUid);
        Assert.NotNull(image.Dicom.SopInstanceUid);
        Assert.Equal((80, 60), (image.Width, image.Height));
        // Same bitstream, same decoder; the reader then stretches min..max to 0..255 (no window in the file).
        float min = direct.Pixels.Min(), max = direct.Pixels.Max();
        for (var i = 0; i < direct.Pixels.Length; i++)
        {
            var expected = (direct.Pixels[i] - min) / (max - min) * 255f;
            Assert.True(Math.Abs(image.Pixels[i] - expected) < 1e-3, $"pixel {i}");
        }
    }

    [Theory]
    [InlineData("+te", DicomTransferSyntax.ExplicitVrLittleEndian)]
    [InlineData("+ti", DicomTransferSyntax.ImplicitVrLittleEndian)]
    [InlineData("+tb", DicomTransferSyntax.ExplicitVrBigEndian)]
    [InlineData("+td", DicomTransferSyntax.DeflatedExplicitVrLittleEndian)]
    public void Img2dcm_bmp_converted_by_dcmconv_decodes_in_every_uncompressed_syntax(string option, string syntax)
    {
        var bmpPath = Path.Combine(_dir, "in.bmp");
        var dcmPath = Path.Combine(_dir, "from-bmp.dcm");
        var converted = Path.Combine(_dir, "converted.dcm");
        File.WriteAllBytes(bmpPath, TestImages.Bmp24(33, 21, (x, y) => ((byte)(x * 7), (byte)(y * 12), (byte)(x + y))));
        Run("img2dcm", "-i", "BMP", bmpPath, dcmPath);
        Run("dcmconv", option, dcmPath, converted);

        var image = ImageDecoder.DecodeFile(converted);
        Assert.Equal(syntax, image.Dicom!.TransferSyntaxUid);
        Assert.Equal(("RGB", 3, 33, 21), (image.Dicom.PhotometricInterpretation, image.Channels, image.Width, image.Height));
        Assert.Equal((70f, 60f, 15f), (image[10, 5, 0], image[10, 5, 1], image[10, 5, 2]));
    }

    [Fact]
    public void Our_writer_output_is_accepted_by_dcmtk()
    {
        var path = Path.Combine(_dir, "ours.dcm");
        var source = new Phantoms.PhantomGenerator(64).Generate(Phantoms.PhantomClass.Pneumonia, 5).Image;
        foreach (var syntax in DicomTransferSyntax.Supported)
        {
            File.WriteAllBytes(path, DicomWriter.WriteImage(source, syntax));
            // dcmconv parses the whole dataset (sequences included) and fails on malformed structure.
            Run("dcmconv", path, Path.Combine(_dir, "check.dcm"));
        }
    }
}
