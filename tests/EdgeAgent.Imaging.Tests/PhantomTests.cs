using EdgeAgent.Imaging.Phantoms;
using EdgeAgent.Imaging.Statistics;

namespace EdgeAgent.Imaging.Tests;

public sealed class PhantomTests
{
    private static readonly PhantomGenerator Generator = new(96);

    [Fact]
    public void Same_seed_gives_identical_images_and_masks()
    {
        var a = Generator.Generate(PhantomClass.Covid, 12345);
        var b = new PhantomGenerator(96).Generate(PhantomClass.Covid, 12345);
        Assert.Equal(a.Image.Pixels, b.Image.Pixels);
        Assert.Equal(a.Mask, b.Mask);
        Assert.NotEqual(a.Image.Pixels, Generator.Generate(PhantomClass.Covid, 12346).Image.Pixels);
    }

    [Fact]
    public void Random_stream_is_pinned_across_platforms()
    {
        // xoshiro256** seeded by SplitMix64 is fully specified: these values must never change.
        var random = new DeterministicRandom(0);
        Assert.Equal(0x99EC5F36CB75F2B4UL, random.NextUInt64());
        Assert.Equal(0xBF6E1F784956452AUL, random.NextUInt64());
    }

    [Fact]
    public void Only_the_lesion_differs_between_classes_of_one_seed()
    {
        // Anatomy, exposure, noise, borders and pose are drawn from the seed alone.
        const ulong seed = 77;
        var normal = Generator.Generate(PhantomClass.Normal, seed);
        foreach (var phantomClass in new[] { PhantomClass.Covid, PhantomClass.Pneumonia })
        {
            var sick = Generator.Generate(phantomClass, seed);
            var changedOutsideLesion = 0;
            var changedInsideLesion = 0;
            for (var i = 0; i < sick.Mask.Length; i++)
            {
                var changed = Math.Abs(sick.Image.Pixels[i] - normal.Image.Pixels[i]) > 3f;
                if (sick.Mask[i] != 0) { changedInsideLesion += changed ? 1 : 0; }
                else if (changed) { changedOutsideLesion++; }
            }
            var lesionPixels = sick.Mask.Count(m => m != 0);
            // Lesion edges below the mask threshold and detector blur change a thin rim outside the mask.
            Assert.True(changedOutsideLesion < lesionPixels, $"{phantomClass}: {changedOutsideLesion} changed pixels outside a {lesionPixels}-pixel lesion");
            Assert.True(changedInsideLesion > lesionPixels * 0.8, $"{phantomClass}: lesion visible in {changedInsideLesion} of {lesionPixels} pixels");
        }
    }

    [Fact]
    public void Masks_match_labels_and_lesions_are_large_enough_to_locate_on_a_7x7_map()
    {
        for (ulong seed = 1; seed <= 10; seed++)
        {
            Assert.All(Generator.Generate(PhantomClass.Normal, seed).Mask, m => Assert.Equal(0, m));
            var covid = Generator.Generate(PhantomClass.Covid, seed);
            var pneumonia = Generator.Generate(PhantomClass.Pneumonia, seed);
            Assert.All(covid.Mask.Concat(pneumonia.Mask), m => Assert.True(m is 0 or 255));
            // One cell of a 7x7 map is 2% of the image and a lung about 12%: ground glass covers >= 10% of each lung
            // (>= 2.4% of the image), a consolidation >= 25% of its lung (>= 3% of the image); allow for smaller lungs.
            Assert.True(covid.LesionFraction > 0.024, $"covid seed {seed}: {covid.LesionFraction:P1}");
            Assert.True(pneumonia.LesionFraction > 0.025, $"pneumonia seed {seed}: {pneumonia.LesionFraction:P1}");
            // covid is bilateral: lesion pixels in both halves of the image.
            var (left, right) = Halves(covid.Mask, 96);
            Assert.True(left > 0 && right > 0, $"covid seed {seed} not bilateral: {left}/{right}");
        }
    }

    [Fact]
    public void Covid_is_lower_zone_and_pneumonia_denser_than_ground_glass()
    {
        double covidRowSum = 0, covidCount = 0, covidRise = 0, pneumoniaRise = 0;
        for (ulong seed = 1; seed <= 4; seed++)
        {
            var normal = Generator.Generate(PhantomClass.Normal, seed);
            var covid = Generator.Generate(PhantomClass.Covid, seed);
            var pneumonia = Generator.Generate(PhantomClass.Pneumonia, seed);
            for (var i = 0; i < covid.Mask.Length; i++)
            {
                if (covid.Mask[i] != 0)
                {
                    covidRowSum += i / 96;
                    covidCount++;
                    covidRise += covid.Image.Pixels[i] - normal.Image.Pixels[i];
                }
            }
            pneumoniaRise += MeanRise(pneumonia, normal);
        }
        Assert.True(covidRowSum / covidCount > 96 * 0.45, "covid opacities sit in the lower half of the image on average");
        Assert.True(pneumoniaRise / 4 > covidRise / covidCount, "consolidation is denser than ground glass");
    }

    [Fact]
    public void Image_statistics_do_not_depend_on_class()
    {
        // Exposure and borders are class-independent: mean grey outside the lungs is identical for one seed.
        var normal = Generator.Generate(PhantomClass.Normal, 5);
        var covid = Generator.Generate(PhantomClass.Covid, 5);
        var outsideNormal = normal.Image.Pixels.Where((_, i) => i / 96 > 88).Average();
        var outsideCovid = covid.Image.Pixels.Where((_, i) => i / 96 > 88).Average();
        Assert.Equal(outsideNormal, outsideCovid, 3);
    }

    [Theory]
    [InlineData(NonChestKind.Hand)]
    [InlineData(NonChestKind.Knee)]
    [InlineData(NonChestKind.Blank)]
    [InlineData(NonChestKind.Noise)]
    public void Non_chest_inputs_are_deterministic_with_empty_masks(NonChestKind kind)
    {
        var generator = new NonChestPhantomGenerator(64);
        var a = generator.Generate(kind, 9);
        Assert.Equal(a.Image.Pixels, generator.Generate(kind, 9).Image.Pixels);
        Assert.All(a.Mask, m => Assert.Equal(0, m));
        Assert.Equal(kind.ToString().ToLowerInvariant(), a.Label);
        var stats = ImageStatistics.Compute(a.Image);
        if (kind == NonChestKind.Blank)
        {
            Assert.True(stats.StandardDeviation < 1.5, "blank frames are nearly uniform");
        }
        else
        {
            Assert.True(stats.StandardDeviation > 10, $"{kind} has structure (std {stats.StandardDeviation})");
        }
    }

    [Theory]
    [InlineData(SyntheticImageFormat.Png, ".png")]
    [InlineData(SyntheticImageFormat.Jpeg, ".jpg")]
    [InlineData(SyntheticImageFormat.Dicom, ".dcm")]
    public void Dataset_writer_lays_out_classes_masks_and_labels(SyntheticImageFormat format, string extension)
    {
        var dir = TestImages.TempDirectory();
        try
        {
            var options = new SyntheticDatasetOptions { CountPerClass = 2, Seed = 3, Size = 64, Format = format };
            var files = SyntheticDatasetWriter.WriteChests(dir, options);
            Assert.Equal(6, files.Count);
            var lines = File.ReadAllLines(Path.Combine(dir, "labels.csv"));
            Assert.Equal("file,label,seed", lines[0]);
            Assert.Equal(7, lines.Length);
            foreach (var line in lines.Skip(1))
            {
                var parts = line.Split(',');
                Assert.StartsWith(parts[1] + "/", parts[0]);
                Assert.EndsWith(extension, parts[0]);
                var image = ImageDecoder.DecodeFile(Path.Combine(dir, parts[0]));
                var mask = ImageDecoder.DecodeFile(Path.Combine(dir, parts[0][..^extension.Length] + ".mask.png"));
                Assert.Equal((64, 64), (image.Width, image.Height));
                Assert.Equal((64, 64), (mask.Width, mask.Height));
                var lesion = mask.Pixels.Count(v => v > 127);
                Assert.True(parts[1] == "normal" ? lesion == 0 : lesion > 0, $"{parts[0]}: {lesion} mask pixels");
                // The seed column regenerates the same phantom.
                var phantomClass = Enum.Parse<PhantomClass>(parts[1], ignoreCase: true);
                Assert.Equal(new PhantomGenerator(64).Generate(phantomClass, ulong.Parse(parts[2])).Mask.Count(m => m != 0), lesion);
                if (format == SyntheticImageFormat.Dicom)
                {
                    Assert.Equal(("DX", "CHEST", "PA"), (image.Dicom!.Modality, image.Dicom.BodyPartExamined, image.Dicom.ViewPosition));
                    Assert.StartsWith("2.25.", image.Dicom.StudyInstanceUid);
                }
            }
            var again = TestImages.TempDirectory();
            SyntheticDatasetWriter.WriteChests(again, options);
            Assert.Equal(File.ReadAllBytes(Path.Combine(dir, files[0])), File.ReadAllBytes(Path.Combine(again, files[0])));
            Directory.Delete(again, true);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void Non_chest_writer_uses_one_folder_per_kind()
    {
        var dir = TestImages.TempDirectory();
        try
        {
            var files = SyntheticDatasetWriter.WriteNonChest(dir, new SyntheticDatasetOptions { CountPerClass = 1, Size = 48, Format = SyntheticImageFormat.Dicom });
            Assert.Equal(["hand/hand-00000.dcm", "knee/knee-00000.dcm", "blank/blank-00000.dcm", "noise/noise-00000.dcm"], files);
            Assert.Equal("HAND", ImageDecoder.DecodeFile(Path.Combine(dir, files[0])).Dicom!.BodyPartExamined);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    private static (int Left, int Right) Halves(byte[] mask, int size)
    {
        int left = 0, right = 0;
        for (var i = 0; i < mask.Length; i++)
        {
            if (mask[i] == 0) { continue; }
            if (i % size < size / 2) { left++; } else { right++; }
        }
        return (left, right);
    }

    private static double MeanRise(Phantom sick, Phantom normal)
    {
        double sum = 0;
        var n = 0;
        for (var i = 0; i < sick.Mask.Length; i++)
        {
            if (sick.Mask[i] != 0)
            {
                sum += sick.Image.Pixels[i] - normal.Image.Pixels[i];
                n++;
            }
        }
        return sum / n;
    }
}
