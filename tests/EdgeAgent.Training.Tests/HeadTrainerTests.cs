using EdgeAgent.Training.Models;
using EdgeAgent.Training.Training;
using TorchSharp;

namespace EdgeAgent.Training.Tests;

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
