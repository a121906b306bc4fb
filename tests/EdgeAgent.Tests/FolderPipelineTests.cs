using System.Security.Cryptography;
using System.Text.Json;
using EdgeAgent.Pipeline;
using Microsoft.Extensions.DependencyInjection;
using SkiaSharp;

namespace EdgeAgent.Tests;

public sealed class FolderPipelineTests
{
    private static string Sha(byte[] content) => Convert.ToHexStringLower(SHA256.HashData(content));

    [Fact]
    public async Task A_png_and_a_jpeg_are_diagnosed_moved_to_processed_and_have_result_files()
    {
        await using var agent = AgentHarness.Create();
        await agent.StartAsync();
        var png = TestImages.Noise(1);
        var jpeg = TestImages.Noise(2, format: SKEncodedImageFormat.Jpeg);
        await File.WriteAllBytesAsync(Path.Combine(agent.Inbox, "a.png"), png);
        await File.WriteAllBytesAsync(Path.Combine(agent.Inbox, "b.jpg"), jpeg);

        await agent.WaitForOutcomesAsync(2);

        Assert.All(agent.Monitor.Outcomes, o => Assert.Equal(InputOutcomeKind.Diagnosed, o.Kind));
        Assert.Empty(Directory.GetFiles(agent.Inbox));
        Assert.Equal(png, await File.ReadAllBytesAsync(Path.Combine(agent.Processed, "a.png")));
        Assert.True(File.Exists(Path.Combine(agent.Processed, "b.jpg")));
        var id = ResultIds.For(Sha(png), "test-gap-untrained", "0.0.1");
        using var result = JsonDocument.Parse(await File.ReadAllBytesAsync(Path.Combine(agent.Results, id + ".json")));
        var root = result.RootElement;
        Assert.Equal(id, root.GetProperty("resultId").GetString());
        Assert.Equal("a.png", root.GetProperty("input").GetProperty("fileName").GetString());
        Assert.Equal(Sha(png), root.GetProperty("input").GetProperty("sha256").GetString());
        Assert.Equal("test-device", root.GetProperty("deviceId").GetString());
        Assert.False(root.GetProperty("model").GetProperty("trained").GetBoolean());
        var probabilities = root.GetProperty("probabilities").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetDouble());
        Assert.Equal(["covid", "pneumonia", "normal"], probabilities.Keys);
        // Softmax output of float32 values: the sum is 1 within a few float32 ulps.
        Assert.Equal(1.0, probabilities.Values.Sum(), 1e-5);
        Assert.Equal(probabilities.MaxBy(p => p.Value).Key, root.GetProperty("label").GetString());
        Assert.Contains(root.GetProperty("reasons").EnumerateArray(), r => r.GetString()!.Contains("untrained", StringComparison.Ordinal));
        foreach (var stage in new[] { "decode", "preprocess", "inference", "total" })
        {
            Assert.True(root.GetProperty("timingsMs").GetProperty(stage).GetDouble() >= 0);
        }
    }

    [Fact]
    public async Task A_file_still_being_written_waits_until_it_is_complete()
    {
        await using var agent = AgentHarness.Create();
        await agent.StartAsync();
        var png = TestImages.Noise(3);
        var path = Path.Combine(agent.Inbox, "slow.png");
        var writer = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read);
        await using (writer)
        {
            await writer.WriteAsync(png.AsMemory(0, png.Length / 2));
            await writer.FlushAsync();
            // Several settle periods and a rescan pass while the writer still holds the file open.
            await Task.Delay(TimeSpan.FromSeconds(1.5));
            Assert.Empty(agent.Monitor.Outcomes);
            Assert.True(File.Exists(path));
            await writer.WriteAsync(png.AsMemory(png.Length / 2));
        }

        await agent.WaitForOutcomesAsync(1);

        var outcome = Assert.Single(agent.Monitor.Outcomes);
        Assert.Equal(InputOutcomeKind.Diagnosed, outcome.Kind);
        Assert.Equal(png, await File.ReadAllBytesAsync(Path.Combine(agent.Processed, "slow.png")));
    }

    [Fact]
    public async Task A_burst_of_200_files_is_diagnosed_once_each()
    {
        await using var agent = AgentHarness.Create();
        await agent.StartAsync();
        var images = Enumerable.Range(0, 200).Select(i => TestImages.Noise(1000 + i, size: 24)).ToArray();
        for (var i = 0; i < images.Length; i++)
        {
            await File.WriteAllBytesAsync(Path.Combine(agent.Inbox, $"burst-{i:D3}.png"), images[i]);
        }

        await agent.WaitForOutcomesAsync(200, TimeSpan.FromSeconds(120));

        Assert.Equal(200, agent.Monitor.Count(InputOutcomeKind.Diagnosed));
        Assert.Equal(200, agent.Monitor.Outcomes.Select(o => o.ResultId).Distinct().Count());
        Assert.Equal(200, agent.ResultJsons().Length);
        Assert.Equal(200, Directory.GetFiles(agent.Processed).Length);
        Assert.Empty(Directory.GetFiles(agent.Inbox));
    }

    [Fact]
    public async Task Duplicate_content_is_recognised_and_moved_without_a_second_result()
    {
        await using var agent = AgentHarness.Create();
        await agent.StartAsync();
        var png = TestImages.Noise(4);
        foreach (var name in new[] { "one.png", "two.png", "three.png" })
        {
            await File.WriteAllBytesAsync(Path.Combine(agent.Inbox, name), png);
        }

        await agent.WaitForOutcomesAsync(3);
        // The same content arriving again later, under a name already used in processed/.
        await File.WriteAllBytesAsync(Path.Combine(agent.Inbox, "one.png"), png);
        await agent.WaitForOutcomesAsync(4);

        Assert.Equal(1, agent.Monitor.Count(InputOutcomeKind.Diagnosed));
        Assert.Equal(3, agent.Monitor.Count(InputOutcomeKind.Duplicate));
        Assert.Single(agent.Monitor.Outcomes.Select(o => o.ResultId).Distinct());
        Assert.Single(agent.ResultJsons());
        Assert.Equal(4, Directory.GetFiles(agent.Processed).Length);
        Assert.Empty(Directory.GetFiles(agent.Inbox));
    }

    [Fact]
    public async Task Temporary_names_are_ignored_until_renamed()
    {
        await using var agent = AgentHarness.Create();
        await agent.StartAsync();
        var partial = Path.Combine(agent.Inbox, "upload.png.part");
        foreach (var ignored in new[] { partial, Path.Combine(agent.Inbox, ".hidden.png"), Path.Combine(agent.Inbox, "~lock.png"), Path.Combine(agent.Inbox, "x.tmp"), Path.Combine(agent.Inbox, "y.crdownload") })
        {
            await File.WriteAllBytesAsync(ignored, TestImages.Noise(5));
        }

        await Task.Delay(TimeSpan.FromSeconds(1.5)); // a rescan passes over them
        Assert.Empty(agent.Monitor.Outcomes);
        File.Move(partial, Path.Combine(agent.Inbox, "upload.png"));

        await agent.WaitForOutcomesAsync(1);

        Assert.Equal("upload.png", Assert.Single(agent.Monitor.Outcomes).FileName);
        Assert.Equal(4, Directory.GetFiles(agent.Inbox).Length);
    }

    [Fact]
    public async Task Hostile_inputs_are_quarantined_with_reasons_and_the_agent_keeps_working()
    {
        await using var agent = AgentHarness.Create();
        await agent.StartAsync();
        var random = new Random(6);
        var corrupt = TestImages.Noise(6);
        random.NextBytes(corrupt.AsSpan(40));
        await File.WriteAllBytesAsync(Path.Combine(agent.Inbox, "corrupt.png"), corrupt);
        await File.WriteAllBytesAsync(Path.Combine(agent.Inbox, "empty.png"), []);
        await File.WriteAllTextAsync(Path.Combine(agent.Inbox, "notes.png"), "this is a text file, not an image\n");
        TestImages.WriteHugePng(Path.Combine(agent.Inbox, "huge.png"), 20000, 20000);

        await agent.WaitForOutcomesAsync(4, TimeSpan.FromSeconds(90));

        Assert.Equal(4, agent.Monitor.Count(InputOutcomeKind.Failed));
        Assert.Empty(Directory.GetFiles(agent.Inbox));
        Assert.Empty(agent.ResultJsons());
        var reasons = new Dictionary<string, string>();
        foreach (var name in new[] { "corrupt.png", "empty.png", "notes.png", "huge.png" })
        {
            Assert.True(File.Exists(Path.Combine(agent.Failed, name)), $"{name} not in failed/");
            using var report = JsonDocument.Parse(await File.ReadAllBytesAsync(Path.Combine(agent.Failed, name + ".error.json")));
            reasons[name] = report.RootElement.GetProperty("reason").GetString()!;
            Assert.Equal(name, report.RootElement.GetProperty("file").GetString());
        }

        Assert.Contains("empty (0 bytes)", reasons["empty.png"]);
        Assert.Contains("20000x20000", reasons["huge.png"]);
        Assert.Contains("notes.png", reasons["notes.png"]);
        Assert.Contains("corrupt.png", reasons["corrupt.png"]);

        // Still alive: a good image after all that is diagnosed.
        await File.WriteAllBytesAsync(Path.Combine(agent.Inbox, "good.png"), TestImages.Noise(7));
        await agent.WaitForOutcomesAsync(5);
        Assert.Equal(1, agent.Monitor.Count(InputOutcomeKind.Diagnosed));
    }

    [Fact]
    public async Task A_restart_in_the_middle_of_a_stream_neither_loses_nor_repeats_an_input()
    {
        await using var agent = AgentHarness.Create();
        agent.Settings["Input:MaxInFlight"] = "1";
        // Enough inputs that a quiet machine cannot finish them all between reaching 10 and the stop taking effect
        // (40 tiny ones once all finished in that window, which left nothing to prove).
        const int total = 200;
        var images = Enumerable.Range(0, total).Select(i => TestImages.Noise(2000 + i, size: 32)).ToArray();
        for (var i = 0; i < images.Length; i++)
        {
            await File.WriteAllBytesAsync(Path.Combine(agent.Inbox, $"s-{i:D2}.png"), images[i]);
        }

        await agent.StartAsync();
        Assert.True(await agent.Monitor.WaitUntilAsync(m => m.Count(InputOutcomeKind.Diagnosed) >= 10, TimeSpan.FromSeconds(60)));
        var firstRun = agent.Monitor.Outcomes.Where(o => o.Kind == InputOutcomeKind.Diagnosed).Select(o => o.FileName).ToList();
        await agent.StopAsync();
        Assert.NotEmpty(Directory.GetFiles(agent.Inbox)); // really stopped mid-stream

        await agent.StartAsync();
        await agent.WaitForOutcomesAsync(total - Directory.GetFiles(agent.Processed).Length);
        Assert.True(await agent.Monitor.WaitUntilAsync(_ => Directory.GetFiles(agent.Inbox).Length == 0, TimeSpan.FromSeconds(60)));

        var secondRun = agent.Monitor.Outcomes.Where(o => o.Kind == InputOutcomeKind.Diagnosed).Select(o => o.FileName).ToList();
        Assert.Empty(firstRun.Intersect(secondRun));
        Assert.Equal(total, Directory.GetFiles(agent.Processed).Length);
        var expectedIds = images.Select(i => ResultIds.For(Sha(i), "test-gap-untrained", "0.0.1") + ".json").Order().ToArray();
        Assert.Equal(expectedIds, agent.ResultJsons().Select(Path.GetFileName).Order().ToArray());
    }

    [Fact]
    public async Task Input_left_in_place_is_not_diagnosed_again_after_a_restart()
    {
        await using var agent = AgentHarness.Create();
        agent.Settings["Input:AfterProcessing"] = "Leave";
        await File.WriteAllBytesAsync(Path.Combine(agent.Inbox, "stay.png"), TestImages.Noise(8));
        await agent.StartAsync();
        await agent.WaitForOutcomesAsync(1);
        await Task.Delay(TimeSpan.FromSeconds(1.5)); // rescans pass over it without processing it again
        Assert.Single(agent.Monitor.Outcomes);
        await agent.StopAsync();

        await agent.StartAsync();
        await agent.WaitForOutcomesAsync(1);

        Assert.Equal(InputOutcomeKind.Duplicate, Assert.Single(agent.Monitor.Outcomes).Kind);
        Assert.True(File.Exists(Path.Combine(agent.Inbox, "stay.png")));
        Assert.Single(agent.ResultJsons());
    }

    [Fact]
    public async Task Each_result_is_committed_to_the_outbox_before_its_input_moves()
    {
        await using var agent = AgentHarness.Create();
        await agent.StartAsync();
        var png = TestImages.Noise(9);
        await File.WriteAllBytesAsync(Path.Combine(agent.Inbox, "outbox.png"), png);

        await agent.WaitForOutcomesAsync(1);

        var outbox = agent.Host!.Services.GetRequiredService<Messaging.Outbox.OutboxStore>();
        var id = ResultIds.For(Sha(png), "test-gap-untrained", "0.0.1");
        Assert.True(outbox.Contains(id));
        Assert.Equal(Path.Combine(agent.Data, "outbox.db"), outbox.DatabasePath);
        var pending = Assert.Single(outbox.PeekPending(10));
        Assert.True(pending.Entry.HasOverlay);
        Assert.True(File.Exists(Path.Combine(agent.Results, id + ".png")));
    }

    [Fact]
    public async Task A_chosen_class_gets_its_own_overlay_beside_the_predicted_one()
    {
        await using var agent = AgentHarness.Create();
        agent.Settings["Output:OverlayClass"] = "pneumonia";
        await agent.StartAsync();
        var images = Enumerable.Range(0, 6).Select(i => TestImages.Noise(300 + i)).ToArray();
        for (var i = 0; i < images.Length; i++)
        {
            await File.WriteAllBytesAsync(Path.Combine(agent.Inbox, $"o-{i}.png"), images[i]);
        }

        await agent.WaitForOutcomesAsync(images.Length);

        foreach (var outcome in agent.Monitor.Outcomes)
        {
            Assert.True(File.Exists(Path.Combine(agent.Results, outcome.ResultId + ".png")));
            // The extra overlay exists exactly when the chosen class is not the predicted one.
            Assert.Equal(outcome.Label != "pneumonia", File.Exists(Path.Combine(agent.Results, outcome.ResultId + ".pneumonia.png")));
        }
    }

    [Fact]
    public async Task A_dicom_result_carries_the_study_series_and_instance_identifiers()
    {
        await using var agent = AgentHarness.Create();
        var staging = Path.Combine(agent.Root, "dicom");
        var written = Imaging.Phantoms.SyntheticDatasetWriter.WriteChests(staging,
            new Imaging.Phantoms.SyntheticDatasetOptions { CountPerClass = 1, Size = 64, Format = Imaging.Phantoms.SyntheticImageFormat.Dicom });
        await agent.StartAsync();
        File.Move(Path.Combine(staging, written[0]), Path.Combine(agent.Inbox, "study.dcm"));

        await agent.WaitForOutcomesAsync(1);

        var outcome = Assert.Single(agent.Monitor.Outcomes);
        Assert.Equal(InputOutcomeKind.Diagnosed, outcome.Kind);
        using var result = JsonDocument.Parse(await File.ReadAllBytesAsync(Path.Combine(agent.Results, outcome.ResultId + ".json")));
        var input = result.RootElement.GetProperty("input");
        Assert.Equal("study.dcm", input.GetProperty("fileName").GetString());
        foreach (var uid in new[] { "studyInstanceUid", "seriesInstanceUid", "sopInstanceUid" })
        {
            Assert.Matches("^[0-9.]+$", input.GetProperty(uid).GetString());
        }

        Assert.Equal("CHEST", input.GetProperty("bodyPartExamined").GetString());
    }
}
