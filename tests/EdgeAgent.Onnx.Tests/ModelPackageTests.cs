using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using EdgeAgent.Onnx.Graph;
using EdgeAgent.Onnx.Packaging;
using Microsoft.ML.OnnxRuntime;

namespace EdgeAgent.Onnx.Tests;

public sealed class ModelPackageTests : IDisposable
{
    private readonly TempDirectory temp = new();
    private readonly ModelFixture fixture = ModelFixtures.TinyCnnGap(seed: 3);

    public void Dispose() => temp.Dispose();

    [Fact]
    public void Folder_package_round_trips_from_writer_to_loader_and_its_model_runs()
    {
        var folder = temp.Combine("pkg");
        var golden = new byte[] { 1, 2, 3 };
        var manifest = fixture.CreateManifest("1.2.0") with
        {
            GoldenImages = [new GoldenImage { File = "golden/covid-0.png", ExpectedLabel = "covid", ExpectedProbabilities = new Dictionary<string, double> { ["covid"] = 0.4 } }],
            Metrics = new Dictionary<string, double> { ["accuracy"] = 0.5 },
        };
        var written = new ModelPackageWriter(manifest)
            .WithModel(fixture.Model)
            .AddFile("golden/covid-0.png", golden)
            .AddFile(ModelPackage.SignatureFileName, [9, 9])
            .WriteFolder(folder);

        using var package = ModelPackage.Load(folder);

        Assert.False(package.IsZip);
        Assert.Equal(ModelPackage.ComputeSha256(Path.Combine(folder, "model.onnx")), package.Manifest.Sha256);
        Assert.Equal(written.Sha256, package.Manifest.Sha256);
        Assert.Equal(ModelManifestJson.Serialize(written), ModelManifestJson.Serialize(package.Manifest));
        Assert.Equal(SemanticVersion.Parse("1.2.0"), package.Version);
        Assert.False(package.Manifest.Trained);
        Assert.Contains("UNTRAINED", package.Manifest.Description, StringComparison.Ordinal);
        Assert.Equal(golden, File.ReadAllBytes(package.ResolveFile("golden/covid-0.png")));
        Assert.Equal(Path.Combine(folder, "manifest.sig"), package.SignaturePath);
        Assert.Equal(["golden/covid-0.png", "manifest.json", "manifest.sig", "model.onnx"], package.Files);
        Assert.Equal(1, package.Graph.OpCounts["GlobalAveragePool"]);

        using var session = new InferenceSession(package.ModelPath);
        Assert.Equal(["logits", "probabilities"], session.OutputMetadata.Keys.Order());
    }

    [Fact]
    public void Zip_package_round_trips_and_its_extraction_folder_is_removed_on_dispose()
    {
        var zip = temp.Combine("pkg.zip");
        var written = fixture.WritePackage(zip, zip: true);

        string extracted;
        using (var package = ModelPackage.Load(zip))
        {
            Assert.True(package.IsZip);
            extracted = package.DirectoryPath;
            Assert.True(File.Exists(package.ModelPath));
            Assert.Equal(ModelManifestJson.Serialize(written), ModelManifestJson.Serialize(package.Manifest));
            Assert.Null(package.SignaturePath);
        }

        Assert.False(Directory.Exists(extracted));
    }

    [Fact]
    public void Zip_package_extracts_into_a_caller_folder_that_stays_after_dispose()
    {
        var zip = temp.Combine("pkg.zip");
        fixture.WritePackage(zip, zip: true);
        var target = temp.Combine("active");

        using (var package = ModelPackage.Load(zip, new ModelPackageLoadOptions { ExtractDirectory = target }))
        {
            Assert.Equal(target, package.DirectoryPath);
        }

        Assert.True(File.Exists(Path.Combine(target, "model.onnx")));
    }

    [Fact]
    public void A_minimal_manifest_gets_the_documented_defaults()
    {
        var json = """
            {"name":"m","version":"1.0.0","labels":["a","b"],"input":{"name":"input","width":32,"height":32},
             "outputs":{"logits":"logits"},"sha256":"0000000000000000000000000000000000000000000000000000000000000000"}
            """;
        var manifest = ModelManifestJson.Deserialize(Encoding.UTF8.GetBytes(json));
        Assert.Equal(1, manifest.SchemaVersion);
        Assert.Equal("fp32", manifest.Precision);
        Assert.Equal(ChannelOrder.Rgb, manifest.Input.Channels);
        Assert.Equal(1f / 255f, manifest.Input.Scale);
        Assert.Equal([0f, 0f, 0f], manifest.Input.Mean);
        Assert.Equal([1f, 1f, 1f], manifest.Input.Std);
        Assert.False(manifest.Trained);
        ModelManifestValidator.Validate(manifest);
    }

    [Fact]
    public void Manifest_json_is_camel_case_with_string_enums()
    {
        var json = Encoding.UTF8.GetString(ModelManifestJson.Serialize(fixture.CreateManifest()));
        Assert.Contains("\"channels\": \"rgb\"", json, StringComparison.Ordinal);
        Assert.Contains("\"targetLayer\": \"features\"", json, StringComparison.Ordinal);
        Assert.Contains("\"trained\": false", json, StringComparison.Ordinal);
        Assert.DoesNotContain("\"quantization\"", json, StringComparison.Ordinal);   // nulls are left out
        var upper = json.Replace("\"rgb\"", "\"BGR\"", StringComparison.Ordinal);
        Assert.Equal(ChannelOrder.Bgr, ModelManifestJson.Deserialize(Encoding.UTF8.GetBytes(upper)).Input.Channels);
    }

    public static TheoryData<string, string, string> BadManifests => new()
    {
        // JSON edit (a path = JSON value, or "-path" to remove), the field that must be named, a fragment of the message.
        { "schemaVersion=2", "schemaVersion", "must be 1 (got 2)" },
        { "name=\"\"", "name", "letters, digits" },
        { "name=\"../evil\"", "name", "\"../evil\"" },
        { "-name", "name", "required but missing" },
        { "version=\"1.0\"", "version", "semantic version" },
        { "version=\"01.0.0\"", "version", "semantic version" },
        { "labels=[\"covid\"]", "labels", "at least 2" },
        { "labels=[\"covid\",\"Covid\",\"normal\"]", "labels[1]", "repeats labels[0]" },
        { "labels=[\"covid\",\"\",\"normal\"]", "labels[1]", "printable" },
        { "labels=[\"covid\",\" pneumonia\",\"normal\"]", "labels[1]", "surrounding spaces" },
        { "labels=null", "labels", "must not be null" },
        { "labels=[\"covid\",\"pneumonia\",\"normal\",\"tb\"]", "labels", "scores 3 classes" },
        { "input.width=0", "input.width", "input.width must be a positive integer up to 8192 (got 0)" },
        { "input.height=-4", "input.height", "positive integer" },
        { "input.width=64", "input.width", "does not match model.onnx" },
        { "input.width=\"wide\"", "input.width", "wrong JSON type" },
        { "-input.width", "input.width", "required but missing" },
        { "input.channels=\"cmyk\"", "input.channels", "\"cmyk\"" },
        { "input.channels=\"gray\"", "input.mean", "1 value(s)" },
        { "input.mean=[0.1,0.2]", "input.mean", "must have 3 value(s)" },
        { "input.std=[1,0,1]", "input.std[1]", "positive finite" },
        { "input.scale=0", "input.scale", "positive finite" },
        { "input.name=\"image\"", "input.name", "not an input of model.onnx" },
        { "input.colour=1", "input.colour", "not a known manifest field" },
        { "outputs.logits=\"scores\"", "outputs.logits", "not an output of model.onnx" },
        { "outputs.logits=\"\"", "outputs.logits", "class-score output" },
        { "outputs.probabilities=\"logits\"", "outputs.probabilities", "already used by outputs.logits" },
        { "outputs.cam=\"cam\"", "outputs.cam", "not an output of model.onnx" },
        { "targetLayer=\"conv9\"", "targetLayer", "not a tensor of model.onnx" },
        { "targetLayer=\"\"", "targetLayer", "empty string" },
        { "precision=\"fp64\"", "precision", "fp32, fp16, int8" },
        { "sha256=\"abc\"", "sha256", "64 lower-case hexadecimal" },
        { "sha256=\"0000000000000000000000000000000000000000000000000000000000000000\"", "sha256", "does not match model.onnx" },
        { "metrics={\"accuracy\":\"high\"}", "metrics.accuracy", "wrong JSON type" },
        { "quantization={\"method\":\"\",\"calibrationSamples\":10}", "quantization.method", "calibration method" },
        { "quantization={\"method\":\"minmax\",\"calibrationSamples\":-1}", "quantization.calibrationSamples", "zero or positive" },
        { "quantization={\"method\":\"minmax\",\"calibrationSamples\":1,\"activationType\":\"int4\"}", "quantization.activationType", "uint8 or int8" },
        { "safety={\"temperature\":0}", "safety.temperature", "positive finite" },
        { "safety={\"thresholdTpr\":1.5}", "safety.thresholdTpr", "between 0 and 1" },
        { "safety={\"oodScore\":\"energy\",\"oodThreshold\":1,\"reviewThreshold\":2}", "safety.reviewThreshold", "must not exceed" },
        { "safety={\"oodThreshold\":1}", "safety.oodScore", "must name the score" },
        { "goldenImages=[{\"file\":\"../x.png\",\"expectedLabel\":\"covid\"}]", "goldenImages[0].file", "relative path inside the package" },
        { "goldenImages=[{\"file\":\"golden/missing.png\",\"expectedLabel\":\"covid\"}]", "goldenImages[0].file", "not in the package" },
        { "goldenImages=[{\"file\":\"model.onnx\",\"expectedLabel\":\"flu\"}]", "goldenImages[0].expectedLabel", "one of the labels" },
        { "goldenImages=[{\"file\":\"model.onnx\",\"expectedLabel\":\"covid\",\"tolerance\":0}]", "goldenImages[0].tolerance", "(0, 1]" },
        { "goldenImages=[{\"file\":\"model.onnx\",\"expectedLabel\":\"covid\",\"expectedProbabilities\":{\"flu\":0.5}}]", "goldenImages[0].expectedProbabilities.flu", "not one of the labels" },
        { "lables=[]", "lables", "not a known manifest field" },
    };

    [Theory]
    [MemberData(nameof(BadManifests))]
    public void Every_bad_manifest_field_is_refused_with_its_name(string edit, string field, string fragment)
    {
        var folder = WriteValidFolder();
        EditManifest(folder, edit);

        var error = Assert.Throws<ModelPackageException>(() => ModelPackage.Load(folder));

        Assert.Equal("manifest.json", error.File);
        Assert.Equal(field, error.Field);
        Assert.StartsWith($"manifest.json: ", error.Message, StringComparison.Ordinal);
        Assert.Contains(field, error.Message, StringComparison.Ordinal);
        Assert.Contains(fragment, error.Message, StringComparison.Ordinal);
        Assert.Equal(folder, error.PackagePath);
    }

    [Fact]
    public void The_valid_manifest_the_bad_cases_start_from_loads()
    {
        using var package = ModelPackage.Load(WriteValidFolder());
        Assert.Equal("tiny-cnn-gap", package.Manifest.Name);
    }

    [Theory]
    [InlineData("manifest.json")]
    [InlineData("model.onnx")]
    public void A_missing_file_is_named(string file)
    {
        var folder = WriteValidFolder();
        File.Delete(Path.Combine(folder, file));
        var error = Assert.Throws<ModelPackageException>(() => ModelPackage.Load(folder));
        Assert.Equal(file, error.File);
        Assert.Contains("missing", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_zip_of_the_folder_instead_of_its_contents_gets_a_hint()
    {
        var folder = WriteValidFolder();
        var zip = temp.Combine("nested.zip");
        ZipFile.CreateFromDirectory(folder, zip, CompressionLevel.Fastest, includeBaseDirectory: true);

        var error = Assert.Throws<ModelPackageException>(() => ModelPackage.Load(zip));
        Assert.Equal("manifest.json", error.File);
        Assert.Contains($"found {Path.GetFileName(folder)}/manifest.json", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_model_that_is_not_onnx_is_refused_even_with_a_matching_hash()
    {
        var folder = WriteValidFolder();
        var model = Path.Combine(folder, "model.onnx");
        File.WriteAllBytes(model, Encoding.ASCII.GetBytes("this is not a protobuf model, just text"));
        EditManifest(folder, $"sha256=\"{ModelPackage.ComputeSha256(model)}\"");

        var error = Assert.Throws<ModelPackageException>(() => ModelPackage.Load(folder));
        Assert.Equal("model.onnx", error.File);
        Assert.Contains("not a valid ONNX model", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_path_that_does_not_exist_or_is_not_a_zip_is_refused()
    {
        var missing = Assert.Throws<ModelPackageException>(() => ModelPackage.Load(temp.Combine("nowhere")));
        Assert.Contains("does not exist", missing.Message, StringComparison.Ordinal);

        var text = temp.Combine("model.zip");
        File.WriteAllText(text, "not a zip");
        var notZip = Assert.Throws<ModelPackageException>(() => ModelPackage.Load(text));
        Assert.Contains("not a readable zip", notZip.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("../evil.txt")]
    [InlineData("golden/../../evil.txt")]
    [InlineData("/tmp/evil.txt")]
    [InlineData("..\\evil.txt")]
    [InlineData("C:/evil.txt")]
    [InlineData("golden//evil.txt")]
    public void Zip_entries_that_could_escape_the_package_are_refused_before_anything_is_written(string entryName)
    {
        var zip = temp.Combine("hostile.zip");
        using (var archive = ZipFile.Open(zip, ZipArchiveMode.Create))
        {
            AddEntry(archive, "manifest.json", "{}");
            AddEntry(archive, entryName, "owned");
        }

        var target = temp.Combine("x", "y", "extract");
        var error = Assert.Throws<ModelPackageException>(() => ModelPackage.Load(zip, new ModelPackageLoadOptions { ExtractDirectory = target }));
        Assert.Equal(entryName, error.File);
        Assert.Contains("not a safe path", error.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFiles(temp.Path, "evil.txt", SearchOption.AllDirectories));
        Assert.False(File.Exists("/tmp/evil.txt"));
    }

    [Fact]
    public void Zip_with_a_symbolic_link_entry_is_refused()
    {
        var zip = temp.Combine("link.zip");
        using (var archive = ZipFile.Open(zip, ZipArchiveMode.Create))
        {
            var entry = archive.CreateEntry("golden/link.png");
            entry.ExternalAttributes = unchecked((int)0xA1FF0000);   // S_IFLNK | 0777 in the Unix high word
            using var stream = entry.Open();
            stream.Write("/etc/passwd"u8);
        }

        var error = Assert.Throws<ModelPackageException>(() => ModelPackage.Load(zip));
        Assert.Contains("symbolic link", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Zip_bomb_is_refused_at_the_uncompressed_size_cap()
    {
        // 8 MB of zeros deflates to about 8 KB (ratio ~1000): a small bomb against a 1 MB cap.
        var zip = temp.Combine("bomb.zip");
        using (var archive = ZipFile.Open(zip, ZipArchiveMode.Create))
        {
            using var stream = archive.CreateEntry("model.onnx", CompressionLevel.Optimal).Open();
            stream.Write(new byte[8 << 20]);
        }

        Assert.True(new FileInfo(zip).Length < 100_000);
        var error = Assert.Throws<ModelPackageException>(() =>
            ModelPackage.Load(zip, new ModelPackageLoadOptions { MaxUncompressedBytes = 1 << 20 }));
        Assert.Contains("uncompressed size cap", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Zip_whose_header_understates_the_model_size_cannot_smuggle_bytes_past_the_hash()
    {
        // Claim 1 KB for a model that inflates to several KB. The reader never yields more than the header
        // declares (.NET stops there, and the extractor's own count would refuse more), so the model arrives
        // truncated and the sha256 check refuses the package.
        var folder = WriteValidFolder();
        var zip = temp.Combine("liar.zip");
        using (var archive = ZipFile.Open(zip, ZipArchiveMode.Create))
        {
            archive.CreateEntryFromFile(Path.Combine(folder, "manifest.json"), "manifest.json");
            archive.CreateEntryFromFile(Path.Combine(folder, "model.onnx"), "model.onnx", CompressionLevel.Optimal);
        }

        Assert.True(new FileInfo(Path.Combine(folder, "model.onnx")).Length > 4096);
        var bytes = File.ReadAllBytes(zip);
        PatchUncompressedSize(bytes, "model.onnx", 1024);
        File.WriteAllBytes(zip, bytes);

        var target = temp.Combine("extracted");
        var error = Assert.Throws<ModelPackageException>(() => ModelPackage.Load(zip, new ModelPackageLoadOptions { ExtractDirectory = target }));
        Assert.Equal("sha256", error.Field);
        Assert.True(new FileInfo(Path.Combine(target, "model.onnx")).Length <= 1024);
    }

    [Fact]
    public void Zip_with_too_many_entries_is_refused()
    {
        var zip = temp.Combine("many.zip");
        using (var archive = ZipFile.Open(zip, ZipArchiveMode.Create))
        {
            for (var i = 0; i < 20; i++)
            {
                AddEntry(archive, $"golden/{i}.png", "x");
            }
        }

        var error = Assert.Throws<ModelPackageException>(() => ModelPackage.Load(zip, new ModelPackageLoadOptions { MaxEntries = 10 }));
        Assert.Contains("20 entries", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Zip_with_the_same_name_twice_is_refused()
    {
        var zip = temp.Combine("twice.zip");
        using (var archive = ZipFile.Open(zip, ZipArchiveMode.Create))
        {
            AddEntry(archive, "model.onnx", "a");
            AddEntry(archive, "MODEL.onnx", "b");
        }

        var error = Assert.Throws<ModelPackageException>(() => ModelPackage.Load(zip));
        Assert.Contains("appears twice", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Writer_refuses_an_invalid_manifest_and_leaves_nothing_behind()
    {
        var folder = temp.Combine("never");
        var manifest = fixture.CreateManifest() with { Labels = ["covid", "covid", "normal"] };

        var error = Assert.Throws<ModelPackageException>(() => new ModelPackageWriter(manifest).WithModel(fixture.Model).WriteFolder(folder));

        Assert.Equal("labels[1]", error.Field);
        Assert.False(Directory.Exists(folder));
        Assert.Empty(Directory.EnumerateFileSystemEntries(temp.Path));
    }

    [Fact]
    public void Writer_refuses_golden_images_it_was_not_given()
    {
        var manifest = fixture.CreateManifest() with { GoldenImages = [new GoldenImage { File = "golden/a.png", ExpectedLabel = "normal" }] };
        var error = Assert.Throws<ModelPackageException>(() => new ModelPackageWriter(manifest).WithModel(fixture.Model).WriteZip(temp.Combine("p.zip")));
        Assert.Equal("goldenImages[0].file", error.Field);
    }

    [Fact]
    public void Graph_scanner_reads_the_same_structure_as_the_protobuf_parser()
    {
        var model = ModelFixtures.TinyCnnLstm().Model;
        var path = temp.Combine("m.onnx");
        OnnxModelFile.Save(model, path);

        var summary = OnnxGraphScanner.Scan(path);

        Assert.Equal(model.Graph.Input.Select(i => i.Name), summary.Inputs.Select(i => i.Name));
        Assert.Equal(model.Graph.Output.Select(o => o.Name), summary.Outputs.Select(o => o.Name));
        Assert.Equal(model.Graph.Initializer.Select(t => t.Name).Order(), summary.InitializerNames.Order());
        Assert.Equal(model.Graph.Node.SelectMany(n => n.Output).Order(), summary.NodeOutputNames.Order());
        Assert.Equal(model.Graph.Node.Count, summary.OpCounts.Values.Sum());
        Assert.Equal(17, summary.Opsets[""]);
        Assert.Equal([TensorDim.Batch, 3L, 32L, 32L], summary.Inputs[0].Shape!.Select(d => d!.Value));
        Assert.Equal(1, summary.Inputs[0].ElementType);
        Assert.True(summary.HasTensor("features"));
    }

    private string WriteValidFolder()
    {
        var folder = temp.Combine($"pkg-{Guid.NewGuid():N}");
        fixture.WritePackage(folder);
        return folder;
    }

    /// <summary>Applies "a.b=JSON" (set) or "-a.b" (remove) to manifest.json in place.</summary>
    private static void EditManifest(string folder, string edit)
    {
        var path = Path.Combine(folder, "manifest.json");
        var root = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        var remove = edit.StartsWith('-');
        var assignment = remove ? edit[1..] : edit;
        var equals = assignment.IndexOf('=', StringComparison.Ordinal);
        var keyPath = (remove ? assignment : assignment[..equals]).Split('.');
        var parent = root;
        foreach (var key in keyPath[..^1])
        {
            parent = parent[key]!.AsObject();
        }

        if (remove)
        {
            parent.Remove(keyPath[^1]);
        }
        else
        {
            parent[keyPath[^1]] = JsonNode.Parse(assignment[(equals + 1)..]);
        }

        File.WriteAllText(path, root.ToJsonString());
    }

    private static void AddEntry(ZipArchive archive, string name, string content)
    {
        using var stream = archive.CreateEntry(name).Open();
        stream.Write(Encoding.UTF8.GetBytes(content));
    }

    /// <summary>Rewrites the uncompressed size of one entry in its local header (offset 22) and central directory record (offset 24).</summary>
    private static void PatchUncompressedSize(byte[] bytes, string entryName, uint size)
    {
        var name = Encoding.ASCII.GetBytes(entryName);
        var patched = 0;
        for (var i = 0; i + 46 + name.Length <= bytes.Length; i++)
        {
            var signature = BitConverter.ToUInt32(bytes, i);
            if (signature == 0x04034b50 && bytes.AsSpan(i + 30, name.Length).SequenceEqual(name))
            {
                BitConverter.GetBytes(size).CopyTo(bytes, i + 22);
                patched++;
            }
            else if (signature == 0x02014b50 && bytes.AsSpan(i + 46, name.Length).SequenceEqual(name))
            {
                BitConverter.GetBytes(size).CopyTo(bytes, i + 24);
                patched++;
            }
        }

        Assert.Equal(2, patched);
    }
}
