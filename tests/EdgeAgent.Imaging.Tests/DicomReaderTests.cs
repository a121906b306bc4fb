using System.Buffers.Binary;
using EdgeAgent.Imaging.Dicom;

namespace EdgeAgent.Imaging.Tests;

public sealed class DicomReaderTests
{
    private static readonly DicomAttributes Identity = new()
    {
        StudyInstanceUid = "1.2.3.4.5",
        SeriesInstanceUid = "1.2.3.4.5.6",
        SopInstanceUid = "1.2.3.4.5.6.7",
        Modality = "DX",
        BodyPartExamined = "CHEST",
        ViewPosition = "PA",
    };

    public static TheoryData<string, bool> NativeSyntaxes() => new()
    {
        { DicomTransferSyntax.ImplicitVrLittleEndian, true },
        { DicomTransferSyntax.ImplicitVrLittleEndian, false },
        { DicomTransferSyntax.ExplicitVrLittleEndian, true },
        { DicomTransferSyntax.ExplicitVrLittleEndian, false },
        { DicomTransferSyntax.ExplicitVrBigEndian, true },
        { DicomTransferSyntax.ExplicitVrBigEndian, false },
        { DicomTransferSyntax.DeflatedExplicitVrLittleEndian, true },
        { DicomTransferSyntax.DeflatedExplicitVrLittleEndian, false },
    };

    private static int[] Ramp(int count, int min, int max) =>
        Enumerable.Range(0, count).Select(i => min + (int)((long)(max - min) * i / (count - 1))).ToArray();

    [Theory]
    [MemberData(nameof(NativeSyntaxes))]
    public void Twelve_bit_grey_round_trips_in_every_native_syntax(string syntax, bool undefinedLengthSequences)
    {
        var values = Ramp(24 * 20, 0, 4095);
        var file = DicomWriter.Write(new DicomImageSpec
        {
            Rows = 20, Columns = 24, TransferSyntaxUid = syntax, StoredValues = values, BitsAllocated = 16, BitsStored = 12,
            WindowCenter = "2048", WindowWidth = "4096", Attributes = Identity, UndefinedLengthSequences = undefinedLengthSequences,
        });
        var image = ImageDecoder.Decode(file, "x.dcm");
        Assert.Equal((24, 20, 1, "dicom"), (image.Width, image.Height, image.Channels, image.Format));
        Assert.Equal(Identity with { PhotometricInterpretation = "MONOCHROME2", TransferSyntaxUid = syntax }, image.Dicom);
        for (var i = 0; i < values.Length; i++)
        {
            // Linear VOI (PS3.3 C.11.2.1.2.1) with c=2048, w=4096, computed in double: float32 output within 1e-3.
            var expected = Math.Clamp(((values[i] - 2047.5) / 4095.0 + 0.5) * 255, 0, 255);
            Assert.True(Math.Abs(image.Pixels[i] - expected) < 1e-3, $"pixel {i}: {image.Pixels[i]} vs {expected}");
        }
    }

    [Fact]
    public void Signed_values_with_rescale_fall_back_to_min_max_without_a_window()
    {
        var values = Ramp(100, -1000, 1000);
        var file = DicomWriter.Write(new DicomImageSpec
        {
            Rows = 10, Columns = 10, StoredValues = values, BitsStored = 16, PixelRepresentation = 1,
            RescaleSlope = 2, RescaleIntercept = -100,
        });
        var image = ImageDecoder.Decode(file, "ct.dcm");
        double min = -2100, max = 1900;
        for (var i = 0; i < values.Length; i++)
        {
            var expected = ((values[i] * 2.0 - 100) - min) / (max - min) * 255;
            Assert.True(Math.Abs(image.Pixels[i] - expected) < 1e-3, $"pixel {i}");
        }
    }

    [Fact]
    public void Twelve_bit_signed_values_are_sign_extended_from_bits_stored()
    {
        // -2048..2047 stored in 12 of 16 bits: the writer masks to 12 bits, so 0xF800 reads as -2048 only if sign-extended at bit 11.
        var values = Ramp(64, -2048, 2047);
        var file = DicomWriter.Write(new DicomImageSpec
        {
            Rows = 8, Columns = 8, StoredValues = values, BitsStored = 12, PixelRepresentation = 1,
            WindowCenter = "0", WindowWidth = "4096",
        });
        var image = ImageDecoder.Decode(file, "s.dcm");
        Assert.True(image.Pixels[0] < 0.1f, $"most negative value maps to black, got {image.Pixels[0]}");
        Assert.True(image.Pixels[^1] > 254.9f, $"most positive value maps to white, got {image.Pixels[^1]}");
        Assert.True(image.Pixels.Zip(image.Pixels.Skip(1)).All(p => p.First <= p.Second), "monotonic ramp");
    }

    [Fact]
    public void Stored_bits_below_a_high_bit_are_shifted_into_place()
    {
        // 12 bits stored in bits 15..4 (High Bit 15): the low 4 bits are not part of the value.
        var values = Ramp(16, 0, 4095);
        var file = DicomWriter.Write(new DicomImageSpec { Rows = 4, Columns = 4, StoredValues = values, BitsStored = 12, HighBit = 15, WindowCenter = "2048", WindowWidth = "4096" });
        var image = ImageDecoder.Decode(file, "hb.dcm");
        for (var i = 0; i < values.Length; i++)
        {
            var expected = Math.Clamp(((values[i] - 2047.5) / 4095.0 + 0.5) * 255, 0, 255);
            Assert.True(Math.Abs(image.Pixels[i] - expected) < 1e-3, $"pixel {i}");
        }
        var bad = DicomWriter.Write(new DicomImageSpec { Rows = 1, Columns = 1, StoredValues = [0], BitsStored = 12, HighBit = 16 });
        Assert.Contains("High Bit 16", Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode(bad, "bad.dcm")).Reason);
    }

    [Fact]
    public void First_of_several_window_values_is_used()
    {
        var values = Ramp(100, 0, 1000);
        var file = DicomWriter.Write(new DicomImageSpec
        {
            Rows = 10, Columns = 10, StoredValues = values, WindowCenter = "500\\100", WindowWidth = "201\\50",
        });
        var image = ImageDecoder.Decode(file, "w.dcm");
        // c=500, w=201: values <= 399.5 are black, > 599.5 are white, 500 is mid-grey.
        Assert.Equal(0f, image.Pixels[30]);
        Assert.Equal(255f, image.Pixels[70]);
        var mid = values.ToList().FindIndex(v => v >= 495 && v <= 505);
        var expected = ((values[mid] - 499.5) / 200 + 0.5) * 255;
        Assert.True(Math.Abs(image.Pixels[mid] - expected) < 1e-3);
    }

    [Fact]
    public void Monochrome1_is_inverted_so_bone_stays_bright()
    {
        var values = Ramp(16, 0, 255);
        var m1 = ImageDecoder.Decode(DicomWriter.Write(new DicomImageSpec
        {
            Rows = 4, Columns = 4, StoredValues = values, BitsAllocated = 8, BitsStored = 8, PhotometricInterpretation = "MONOCHROME1",
        }), "m1.dcm");
        var m2 = ImageDecoder.Decode(DicomWriter.Write(new DicomImageSpec
        {
            Rows = 4, Columns = 4, StoredValues = values, BitsAllocated = 8, BitsStored = 8, PhotometricInterpretation = "MONOCHROME2",
        }), "m2.dcm");
        Assert.Equal(m2.Pixels.Select(v => 255f - v), m1.Pixels);
        Assert.Equal(255f, m1.Pixels[0]);
    }

    [Theory]
    [InlineData(0, "1.2.840.10008.1.2.1")]
    [InlineData(1, "1.2.840.10008.1.2.1")]
    [InlineData(0, "1.2.840.10008.1.2.2")]
    [InlineData(1, "1.2.840.10008.1.2")]
    public void Rgb_in_both_planar_configurations(int planar, string syntax)
    {
        var values = new int[6 * 5 * 3];
        for (var i = 0; i < 30; i++)
        {
            values[i * 3] = i * 8;
            values[i * 3 + 1] = 255 - i;
            values[i * 3 + 2] = 17;
        }
        var image = ImageDecoder.Decode(DicomWriter.Write(new DicomImageSpec
        {
            Rows = 5, Columns = 6, SamplesPerPixel = 3, PhotometricInterpretation = "RGB", BitsAllocated = 8, BitsStored = 8,
            PlanarConfiguration = planar, StoredValues = values, TransferSyntaxUid = syntax,
        }), "rgb.dcm");
        Assert.Equal(3, image.Channels);
        Assert.Equal(values.Select(v => (float)v), image.Pixels);
    }

    [Fact]
    public void Ybr_full_is_converted_to_rgb()
    {
        // Y=128, Cb=128, Cr=228: R = 128 + 1.402*100 = 268.2 -> 255; G = 128 - 71.4136 = 56.5864; B = 128.
        // Y=100, Cb=200, Cr=128: R = 100; G = 100 - 0.344136*72 = 75.2222; B = 100 + 1.772*72 = 227.584.
        var file = DicomWriter.Write(new DicomImageSpec
        {
            Rows = 1, Columns = 2, SamplesPerPixel = 3, PhotometricInterpretation = "YBR_FULL", BitsAllocated = 8, BitsStored = 8,
            StoredValues = [128, 128, 228, 100, 200, 128],
        });
        var image = ImageDecoder.Decode(file, "ybr.dcm");
        float[] expected = [255f, 56.5864f, 128f, 100f, 75.2222f, 227.584f];
        for (var i = 0; i < 6; i++)
        {
            Assert.Equal(expected[i], image.Pixels[i], 3);
        }
    }

    [Fact]
    public void Jpeg_baseline_encapsulated_frame_decodes()
    {
        var source = new Phantoms.PhantomGenerator(64).Generate(Phantoms.PhantomClass.Normal, 3).Image;
        var file = DicomWriter.WriteImage(source, DicomTransferSyntax.JpegBaseline8Bit, Identity, jpegQuality: 98);
        var image = ImageDecoder.Decode(file, "jpeg.dcm");
        Assert.Equal(DicomTransferSyntax.JpegBaseline8Bit, image.Dicom!.TransferSyntaxUid);
        Assert.Equal("1.2.3.4.5", image.Dicom.StudyInstanceUid);
        // No window in the file: the min/max stretch applies, so compare after stretching the source the same way.
        float min = source.Pixels.Select(p => MathF.Round(p)).Min(), max = source.Pixels.Select(p => MathF.Round(p)).Max();
        var meanError = source.Pixels.Select((p, i) => Math.Abs((MathF.Round(p) - min) / (max - min) * 255 - image.Pixels[i])).Average();
        Assert.True(meanError < 3, $"JPEG q98 mean error {meanError} levels");
    }

    [Fact]
    public void Write_image_round_trips_a_phantom_within_12_bit_quantisation()
    {
        var source = new Phantoms.PhantomGenerator(48).Generate(Phantoms.PhantomClass.Covid, 1).Image;
        foreach (var syntax in new[] { DicomTransferSyntax.ExplicitVrLittleEndian, DicomTransferSyntax.ExplicitVrBigEndian, DicomTransferSyntax.ImplicitVrLittleEndian, DicomTransferSyntax.DeflatedExplicitVrLittleEndian })
        {
            var image = ImageDecoder.Decode(DicomWriter.WriteImage(source, syntax), "p.dcm");
            // 12-bit quantisation is 255/4095/2 = 0.031 levels at most, plus the window's 0.5/4095*255 = 0.031 offset.
            var maxError = source.Pixels.Select((p, i) => Math.Abs(p - image.Pixels[i])).Max();
            Assert.True(maxError < 0.07, $"{syntax}: max error {maxError}");
        }
    }

    [Theory]
    [InlineData("1.2.840.10008.1.2.4.90", "JPEG 2000")]
    [InlineData("1.2.840.10008.1.2.4.91", "JPEG 2000")]
    [InlineData("1.2.840.10008.1.2.4.80", "JPEG-LS")]
    [InlineData("1.2.840.10008.1.2.4.81", "JPEG-LS")]
    [InlineData("1.2.840.10008.1.2.5", "RLE Lossless")]
    [InlineData("1.2.840.10008.1.2.4.57", "JPEG Lossless")]
    [InlineData("1.2.840.10008.1.2.4.70", "JPEG Lossless")]
    [InlineData("1.2.840.10008.1.2.4.51", "JPEG Extended")]
    [InlineData("1.2.3.999", "unknown")]
    public void Other_transfer_syntaxes_are_refused_naming_the_uid(string uid, string name)
    {
        var file = DicomWriter.Write(new DicomImageSpec { Rows = 2, Columns = 2, StoredValues = [1, 2, 3, 4], TransferSyntaxUid = uid });
        var e = Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode(file, "c.dcm"));
        Assert.Contains(uid, e.Reason);
        Assert.Contains(name, e.Reason);
    }

    [Fact]
    public void Missing_pixel_data_is_refused_with_a_reason()
    {
        var file = DicomWriter.Write(new DicomImageSpec { Rows = 2, Columns = 2, OmitPixelData = true });
        Assert.Contains("no pixel data", Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode(file, "sr.dcm")).Reason);
    }

    [Fact]
    public void Element_length_past_the_end_is_refused()
    {
        var file = DicomWriter.Write(new DicomImageSpec { Rows = 4, Columns = 4, StoredValues = new int[16], IncludeSequences = false });
        // The pixel data header is the last 12+32 bytes: claim 2 GB.
        var at = file.Length - 32 - 4;
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(at), 0x7FFF_FFF0);
        var e = Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode(file, "long.dcm"));
        Assert.Contains("(7FE0,0010)", e.Reason);
        Assert.Contains("claims", e.Reason);
    }

    [Fact]
    public void Pixel_data_shorter_than_one_frame_is_refused()
    {
        var file = DicomWriter.Write(new DicomImageSpec { Rows = 4, Columns = 4, StoredValues = new int[16], IncludeSequences = false });
        var at = file.Length - 32 - 4;
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(at), 20);
        Assert.Contains("pixel data holds 20 bytes", Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode(file[..(file.Length - 12)], "short.dcm")).Reason);
    }

    [Fact]
    public void Oversize_dicom_is_refused_before_reading_pixels()
    {
        var file = DicomWriter.Write(new DicomImageSpec { Rows = 4, Columns = 4, StoredValues = new int[16] });
        var small = new Decoding.ImageDecoderOptions { MaxPixels = 15 };
        Assert.Contains("above the limit", Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode(file, "big.dcm", small)).Reason);
    }

    [Fact]
    public void Huge_dimensions_in_the_header_are_refused_without_allocating()
    {
        var file = DicomWriter.Write(new DicomImageSpec { Rows = 4, Columns = 4, StoredValues = new int[16], IncludeSequences = false });
        // Rewrite Rows and Columns (US values) to 20000 each: 400 megapixels, 800 MB of 16-bit samples.
        var spec = DicomWriter.Write(new DicomImageSpec { Rows = 20000, Columns = 20000, StoredValues = [], OmitPixelData = true, IncludeSequences = false });
        var before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode(spec.Concat(file[^44..]).ToArray(), "huge.dcm"));
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Contains("20000x20000 = 400 megapixels", e.Reason);
        Assert.True(allocated < 256 * 1024, $"allocated {allocated} bytes");
    }

    [Theory]
    [InlineData("1.2.840.10008.1.2")]
    [InlineData("1.2.840.10008.1.2.1")]
    [InlineData("1.2.840.10008.1.2.2")]
    [InlineData("1.2.840.10008.1.2.1.99")]
    [InlineData("1.2.840.10008.1.2.4.50")]
    public void Every_truncation_gives_a_decode_error_not_a_crash_or_hang(string syntax)
    {
        var source = new DecodedImage(6, 5, 1, Enumerable.Range(0, 30).Select(i => i * 8f).ToArray());
        var file = DicomWriter.WriteImage(source, syntax);
        Assert.Equal(6, ImageDecoder.Decode(file, "whole.dcm").Width);
        for (var cut = 0; cut < file.Length - 1; cut++)
        {
            // The writer pads to even lengths, so the last byte may be padding; every shorter cut must be refused.
            Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode(file[..cut], $"cut{cut}.dcm"));
        }
    }

    [Fact]
    public void Random_byte_corruption_never_escapes_as_another_exception()
    {
        var file = DicomWriter.WriteImage(new DecodedImage(8, 8, 1, new float[64]), DicomTransferSyntax.ExplicitVrLittleEndian);
        var random = new Phantoms.DeterministicRandom(42);
        var decoded = 0;
        for (var trial = 0; trial < 400; trial++)
        {
            var copy = (byte[])file.Clone();
            for (var k = 0; k < 3; k++)
            {
                copy[random.Next(128, copy.Length)] = (byte)random.Next(0, 256);
            }
            try
            {
                ImageDecoder.Decode(copy, "fuzz.dcm");
                decoded++;
            }
            catch (ImageDecodeException)
            {
            }
        }
        // Any exception other than ImageDecodeException fails the test above. Both paths must have been exercised:
        // corruptions in pixel values still decode, corruptions in headers are refused.
        Assert.True(decoded > 0 && decoded < 400, $"decoded {decoded} of 400");
    }
}
