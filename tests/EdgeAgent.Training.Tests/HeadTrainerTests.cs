using EdgeAgent.Training.Models;
using EdgeAgent.Training.Training;
using TorchSharp;

namespace EdgeAgent.Training.Tests;

/// <remarks>
/// The resume test compares dropout masks drawn from TorchSharp's process-wide generator; a training
/// test running beside it reseeds that generator, so these run alone.
/// </remarks>
[Collection(TorchSharpGlobalStateCollection.Name)]
public sealed class HeadTrainerTests
{
    private static readonly HeadOptions SmallHead = new() { LstmUnits = 8, Activation = "tanh", Dense1 = 8, Dense2 = 8, Dropout = 0, Standardize = false };

    [Fact]
    public void Learns_a_separable_problem_and_resumes_from_its_checkpoint()
    {
        // Class k lights up feature map position k: a head that reads positions must separate them.
        var set = Separable(60, seed: 1);
        var validation = Separable(15, seed: 2);
        var directory = Directory.CreateTempSubdirectory("edge-train-ckpt").FullName;
        try
        {
            torch.manual_seed(3);
            using var head = new CnnRnnHead(4, 2, 2, 3, SmallHead);
            var options = new TrainingOptions { Epochs = 3, Optimizer = "adam", LearningRate = 1e-2, Patience = 0, Seed = 3 };
            var first = new HeadTrainer(options, TextWriter.Null).Train(head, [4, 2, 2], set, validation, directory);
            Assert.Equal(3, first.Count);

            torch.manual_seed(99); // a fresh head: everything it knows must come from the checkpoint
            using var resumed = new CnnRnnHead(4, 2, 2, 3, SmallHead);
            var all = new HeadTrainer(options with { Epochs = 8 }, TextWriter.Null).Train(resumed, [4, 2, 2], set, validation, directory);
            Assert.Equal(Enumerable.Range(1, 8), all.Select(e => e.Epoch));
            Assert.Equal(first.Select(e => e.TrainLoss), all.Take(3).Select(e => e.TrainLoss));
            var (_, accuracy) = new HeadTrainer(options, TextWriter.Null).Evaluate(resumed, validation, [4, 2, 2], torch.CPU);
            Assert.Equal(1.0, accuracy);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Theory]
    [InlineData("adam")]
    [InlineData("rmsprop")]
    public void Stopping_halfway_and_resuming_reaches_the_same_weights_as_an_uninterrupted_run(string optimizer)
    {
        // Dropout on, so the resumed half must also draw the same dropout masks; lr decays per epoch.
        var head = SmallHead with { Dropout = 0.3 };
        var options = new TrainingOptions { Epochs = 6, Optimizer = optimizer, LearningRate = 1e-2, LearningRateDecay = 0.8, Patience = 0, Seed = 5 };
        var set = Separable(60, seed: 1);
        var validation = Separable(15, seed: 2);
        var root = Directory.CreateTempSubdirectory("edge-train-resume").FullName;
        string Dir(string name) => Path.Combine(root, name);
        try
        {
            torch.manual_seed(3);
            using (var straight = new CnnRnnHead(4, 2, 2, 3, head))
            {
                new HeadTrainer(options, TextWriter.Null).Train(straight, [4, 2, 2], set, validation, Dir("straight"));
            }

            torch.manual_seed(3);
            using (var firstHalf = new CnnRnnHead(4, 2, 2, 3, head))
            {
                new HeadTrainer(options with { Epochs = 3 }, TextWriter.Null).Train(firstHalf, [4, 2, 2], set, validation, Dir("resumed"));
            }

            // The same checkpoint without its optimizer state: the control that shows the state matters.
            Directory.CreateDirectory(Dir("no-optimizer-state"));
            foreach (var file in Directory.GetFiles(Dir("resumed")).Where(f => Path.GetFileName(f) != HeadTrainer.OptimizerStateFileName))
            {
                File.Copy(file, Path.Combine(Dir("no-optimizer-state"), Path.GetFileName(file)));
            }

            foreach (var name in new[] { "resumed", "no-optimizer-state" })
            {
                torch.manual_seed(99); // a fresh head: everything it knows must come from the checkpoint
                using var secondHalf = new CnnRnnHead(4, 2, 2, 3, head);
                new HeadTrainer(options, TextWriter.Null).Train(secondHalf, [4, 2, 2], set, validation, Dir(name));
            }

            var expected = LastWeights(Dir("straight"), head);
            // Same ops in the same order on the same thread count, and checkpoints hold the float32
            // tensors bit for bit: nothing may differ, not even by rounding.
            Assert.Equal(0.0, MaxDifference(expected, LastWeights(Dir("resumed"), head)));
            // Without the moments the first resumed step is a fresh, bias-corrected step of about lr
            // (1e-2 x 0.8^3) per weight instead of a damped one: differences of order 1e-3, far above 1e-5.
            Assert.True(MaxDifference(expected, LastWeights(Dir("no-optimizer-state"), head)) > 1e-5);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static Dictionary<string, float[]> LastWeights(string checkpointDirectory, HeadOptions options)
    {
        using var head = new CnnRnnHead(4, 2, 2, 3, options);
        head.load(Path.Combine(checkpointDirectory, HeadTrainer.LastWeightsFileName));
        return head.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.to_type(torch.ScalarType.Float32).data<float>().ToArray());
    }

    private static double MaxDifference(Dictionary<string, float[]> a, Dictionary<string, float[]> b)
    {
        Assert.Equal(a.Keys.Order(), b.Keys.Order());
        return a.Max(kv => kv.Value.Zip(b[kv.Key], (x, y) => (double)Math.Abs(x - y)).DefaultIfEmpty(0).Max());
    }

    [Fact]
    public void Tiny_TorchSharp_backbone_feeds_the_head_end_to_end()
    {
        var (backbone, c, h, w) = TorchBackbones.Create("tiny", 64);
        using var model = new CnnRnnModel(backbone, new CnnRnnHead(c, h, w, 3, SmallHead));
        model.eval();
        using var images = torch.randn(2, 3, 64, 64);
        using var logits = model.forward(images);
        Assert.Equal([2L, 3L], logits.shape);
        Assert.Equal((32, 8, 8), (c, h, w));
    }

    private static FeatureSet Separable(int count, int seed)
    {
        var random = new Random(seed);
        var inputs = new List<float[]>();
        var labels = new List<int>();
        for (var i = 0; i < count; i++)
        {
            var label = i % 3;
            var x = Enumerable.Range(0, 16).Select(_ => (float)(random.NextDouble() * 0.2)).ToArray();
            for (var ch = 0; ch < 4; ch++)
            {
                x[(ch * 4) + label] += 1f; // position `label` of every channel
            }

            inputs.Add(x);
            labels.Add(label);
        }

        return new FeatureSet(inputs, labels);
    }
}
