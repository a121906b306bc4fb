using System.Diagnostics;
using System.Text.Json;
using TorchSharp;
using static TorchSharp.torch;

namespace EdgeAgent.Training.Training;

/// <summary>
/// Trains a classifier module on in-memory inputs: mini-batches with a seeded shuffle, the chosen
/// optimizer with exponential learning-rate decay, early stopping on validation loss (the best
/// weights are restored at the end), and per-epoch checkpoints that a later call resumes from:
/// the weights, the optimizer's state (Adam moments and step counts, RMSprop square averages) and
/// the epoch, from which the learning rate, the shuffle and the dropout stream all follow, so a
/// resumed run continues the uninterrupted run's trajectory.
/// Every batch runs inside a dispose scope so native tensors do not accumulate.
/// </summary>
public sealed class HeadTrainer
{
    private readonly TrainingOptions options;
    private readonly TextWriter progressOut;

    public HeadTrainer(TrainingOptions options, TextWriter progressOut)
    {
        options.Validate();
        this.options = options;
        this.progressOut = progressOut;
    }

    /// <param name="inputShape">Shape of one input (e.g. [C, H, W]).</param>
    /// <summary>Weights of the last finished epoch in a checkpoint folder.</summary>
    public const string LastWeightsFileName = "last.dat";

    /// <summary>Optimizer state of the last finished epoch (TorchSharp's optimizer state dictionary).</summary>
    public const string OptimizerStateFileName = "optimizer.dat";

    /// <param name="checkpointDirectory">Where last.dat/optimizer.dat/best.dat/state.json go; resumes when state.json is there.</param>
    public IReadOnlyList<EpochRecord> Train(nn.Module<Tensor, Tensor> model, long[] inputShape, FeatureSet train, FeatureSet validation, string? checkpointDirectory)
    {
        torch.manual_seed(options.Seed);
        var device = torch.device(options.Device);
        model.to(device);
        var parameters = model.parameters().Where(p => p.requires_grad).ToList();
        using var optimizer = CreateOptimizer(parameters);
        var history = new List<EpochRecord>();
        var bestLoss = double.PositiveInfinity;
        var sinceBest = 0;
        var startEpoch = 0;
        if (checkpointDirectory is not null)
        {
            Directory.CreateDirectory(checkpointDirectory);
            var state = ReadState(checkpointDirectory);
            if (state is not null)
            {
                model.load(Path.Combine(checkpointDirectory, LastWeightsFileName));
                var optimizerState = Path.Combine(checkpointDirectory, OptimizerStateFileName);
                if (File.Exists(optimizerState))
                {
                    optimizer.load_state_dict(optimizerState);
                }
                else
                {
                    progressOut.WriteLine($"Checkpoint {checkpointDirectory} has no {OptimizerStateFileName}: the optimizer restarts from zero moments.");
                }

                history.AddRange(state.History);
                startEpoch = state.History.Count;
                bestLoss = state.BestValidationLoss;
                sinceBest = state.EpochsSinceBest;
                progressOut.WriteLine($"Resuming from epoch {startEpoch} of {options.Epochs} ({checkpointDirectory}).");
            }
        }

        var random = new Random(options.Seed);
        // Replay the shuffles of finished epochs so a resumed run sees the same batches as an uninterrupted one.
        var order = Enumerable.Range(0, train.Count).ToArray();
        for (var e = 0; e < startEpoch; e++)
        {
            random.Shuffle(order);
        }

        var batchesPerEpoch = (train.Count + options.BatchSize - 1) / options.BatchSize;
        var bar = new ProgressBar(progressOut, batchesPerEpoch * Math.Max(1, options.Epochs - startEpoch));
        for (var epoch = startEpoch; epoch < options.Epochs && (options.Patience == 0 || sinceBest < options.Patience); epoch++)
        {
            var clock = Stopwatch.StartNew();
            var learningRate = options.LearningRate * Math.Pow(options.LearningRateDecay, epoch);
            foreach (var group in optimizer.ParamGroups)
            {
                group.LearningRate = learningRate;
            }

            random.Shuffle(order);
            // Dropout draws from torch's generator: seeding it per epoch makes an epoch's masks independent of earlier epochs, so a resumed run draws the same ones.
            torch.manual_seed(options.Seed + (1000003L * (epoch + 1)));
            model.train();
            double lossSum = 0;
            var correct = 0;
            var seen = 0;
            for (var start = 0; start < order.Length; start += options.BatchSize)
            {
                var count = Math.Min(options.BatchSize, order.Length - start);
                if (count < 2)
                {
                    continue; // batch normalisation cannot train on a single sample
                }

                using var scope = torch.NewDisposeScope();
                var (x, y) = Batch(train, order.AsSpan(start, count), inputShape, device);
                optimizer.zero_grad();
                var logits = model.forward(x);
                var loss = nn.functional.cross_entropy(logits, y);
                loss.backward();
                optimizer.step();
                lossSum += loss.item<float>() * count;
                correct += (int)logits.argmax(1).eq(y).sum().item<long>();
                seen += count;
                bar.Step($"epoch {epoch + 1,2}/{options.Epochs}", lossSum / seen, (double)correct / seen);
            }

            var (validationLoss, validationAccuracy) = Evaluate(model, validation, inputShape, device);
            var record = new EpochRecord(epoch + 1, learningRate, lossSum / Math.Max(1, seen), (double)correct / Math.Max(1, seen), validationLoss, validationAccuracy, clock.Elapsed.TotalSeconds);
            history.Add(record);
            bar.Line($"epoch {epoch + 1,2}: train loss {record.TrainLoss:F4} acc {record.TrainAccuracy:F3} | val loss {validationLoss:F4} acc {validationAccuracy:F3} | lr {learningRate:G3} | {record.Seconds:F1}s");
            if (validationLoss < bestLoss - 1e-6)
            {
                bestLoss = validationLoss;
                sinceBest = 0;
                if (checkpointDirectory is not null)
                {
                    model.save(Path.Combine(checkpointDirectory, "best.dat"));
                }
                else
                {
                    bestInMemory = Snapshot(model);
                }
            }
            else
            {
                sinceBest++;
            }

            if (checkpointDirectory is not null)
            {
                model.save(Path.Combine(checkpointDirectory, LastWeightsFileName));
                optimizer.save_state_dict(Path.Combine(checkpointDirectory, OptimizerStateFileName));
                WriteState(checkpointDirectory, new TrainerState(history, bestLoss, sinceBest));
            }
        }

        if (options.Patience > 0 && sinceBest >= options.Patience)
        {
            progressOut.WriteLine($"Early stop: validation loss did not improve for {options.Patience} epochs.");
        }

        // Restore the weights of the best validation epoch.
        if (checkpointDirectory is not null && File.Exists(Path.Combine(checkpointDirectory, "best.dat")))
        {
            model.load(Path.Combine(checkpointDirectory, "best.dat"));
        }
        else if (bestInMemory is not null)
        {
            Restore(model, bestInMemory);
        }

        model.eval();
        return history;
    }

    private Dictionary<string, Tensor>? bestInMemory;

    /// <summary>Mean cross-entropy and accuracy in evaluation mode.</summary>
    public (double Loss, double Accuracy) Evaluate(nn.Module<Tensor, Tensor> model, FeatureSet set, long[] inputShape, Device device)
    {
        if (set.Count == 0)
        {
            return (double.NaN, double.NaN);
        }

        model.eval();
        using var noGrad = torch.no_grad();
        double lossSum = 0;
        var correct = 0;
        var all = Enumerable.Range(0, set.Count).ToArray();
        for (var start = 0; start < all.Length; start += 64)
        {
            using var scope = torch.NewDisposeScope();
            var count = Math.Min(64, all.Length - start);
            var (x, y) = Batch(set, all.AsSpan(start, count), inputShape, device);
            var logits = model.forward(x);
            lossSum += nn.functional.cross_entropy(logits, y).item<float>() * count;
            correct += (int)logits.argmax(1).eq(y).sum().item<long>();
        }

        return (lossSum / set.Count, (double)correct / set.Count);
    }

    /// <summary>Stacks the chosen inputs into a [B, ...inputShape] tensor and their labels.</summary>
    public static (Tensor X, Tensor Y) Batch(FeatureSet set, ReadOnlySpan<int> indices, long[] inputShape, Device device)
    {
        var length = set.Inputs[0].Length;
        var data = new float[indices.Length * length];
        var labels = new long[indices.Length];
        for (var i = 0; i < indices.Length; i++)
        {
            set.Inputs[indices[i]].CopyTo(data, i * length);
            labels[i] = set.Labels[indices[i]];
        }

        var shape = new long[inputShape.Length + 1];
        shape[0] = indices.Length;
        inputShape.CopyTo(shape, 1);
        return (torch.tensor(data, shape).to(device), torch.tensor(labels).to(device));
    }

    private TorchSharp.Modules.OptimizerHelper CreateOptimizer(IList<TorchSharp.Modules.Parameter> parameters) => options.Optimizer switch
    {
        // Keras RMSprop defaults (rho 0.9, epsilon 1e-7), which the paper's code used.
        "rmsprop" => optim.RMSProp(parameters, options.LearningRate, alpha: 0.9, eps: 1e-7, weight_decay: options.WeightDecay),
        _ => optim.Adam(parameters, options.LearningRate, weight_decay: options.WeightDecay),
    };

    private static Dictionary<string, Tensor> Snapshot(nn.Module model) =>
        model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone());

    private static void Restore(nn.Module model, Dictionary<string, Tensor> snapshot)
    {
        using var noGrad = torch.no_grad();
        foreach (var (name, tensor) in model.state_dict())
        {
            tensor.copy_(snapshot[name]);
        }
    }

    private static TrainerState? ReadState(string directory)
    {
        var path = Path.Combine(directory, "state.json");
        return File.Exists(path) && File.Exists(Path.Combine(directory, LastWeightsFileName))
            ? JsonSerializer.Deserialize<TrainerState>(File.ReadAllText(path))
            : null;
    }

    private static void WriteState(string directory, TrainerState state) =>
        File.WriteAllText(Path.Combine(directory, "state.json"), JsonSerializer.Serialize(state, new JsonSerializerOptions { WriteIndented = true }));

    private sealed record TrainerState(List<EpochRecord> History, double BestValidationLoss, int EpochsSinceBest);
}
