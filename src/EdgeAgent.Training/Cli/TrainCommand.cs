using System.CommandLine;
using EdgeAgent.Training.Data;
using EdgeAgent.Training.Models;
using EdgeAgent.Training.Training;

namespace EdgeAgent.Training.Cli;

/// <summary>`edge-train train --data DIR --backbone NAME --out RUN [options]`.</summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var data = new Option<string>("--data") { Description = "Dataset folder with covid/, pneumonia/, normal/ (optional labels.csv with a source column)", Required = true };
        var backbone = new Option<string>("--backbone") { Description = "resnet18 (frozen, ImageNet, from the NuGet package, 512x7x7 map), resnet18-stage3 (the same cut after its third stage, 256x14x14), onnx, or a TorchSharp backbone trained end to end: tiny, resnet18-torch, vgg19, densenet121, inception_v3, inception_resnet_v2", DefaultValueFactory = _ => "resnet18" };
        var output = new Option<string>("--out") { Description = "Run folder to write", Required = true };
        var backboneOnnx = new Option<string?>("--backbone-onnx") { Description = "Frozen backbone ONNX file (with --backbone onnx)" };
        var featureTensor = new Option<string?>("--feature-tensor") { Description = "Name of the backbone's last convolutional feature map" };
        var featureShape = new Option<string?>("--feature-shape") { Description = "C,H,W of that feature map" };
        var inputSize = new Option<int?>("--input-size") { Description = "Input side in pixels (user ONNX or TorchSharp backbones)" };
        var lstmUnits = new Option<int>("--lstm-units") { DefaultValueFactory = _ => new HeadOptions().LstmUnits };
        var activation = new Option<string>("--lstm-activation") { Description = "relu (paper) or tanh", DefaultValueFactory = _ => "relu" };
        var freeze = new Option<bool>("--freeze-lstm") { Description = "Keep the LSTM at its random initialisation (as the paper)" };
        var dense1 = new Option<int>("--dense1") { DefaultValueFactory = _ => new HeadOptions().Dense1 };
        var dense2 = new Option<int>("--dense2") { DefaultValueFactory = _ => new HeadOptions().Dense2 };
        var dropout = new Option<double>("--dropout") { DefaultValueFactory = _ => new HeadOptions().Dropout };
        var epochs = new Option<int>("--epochs") { DefaultValueFactory = _ => 20 };
        var batch = new Option<int>("--batch") { DefaultValueFactory = _ => 16 };
        var lr = new Option<double>("--lr") { DefaultValueFactory = _ => 2e-4 };
        var decay = new Option<double>("--lr-decay") { Description = "Learning-rate factor per epoch", DefaultValueFactory = _ => 0.95 };
        var optimizer = new Option<string>("--optimizer") { Description = "rmsprop (paper) or adam", DefaultValueFactory = _ => "rmsprop" };
        var weightDecay = new Option<double>("--weight-decay");
        var patience = new Option<int>("--patience") { Description = "Early stopping patience in epochs (0 = off)", DefaultValueFactory = _ => 6 };
        var seed = new Option<int>("--seed") { DefaultValueFactory = _ => 42 };
        var device = new Option<string>("--device") { Description = "cpu or cuda", DefaultValueFactory = _ => "cpu" };
        var val = new Option<double>("--val") { Description = "Validation fraction", DefaultValueFactory = _ => 0.15 };
        var test = new Option<double>("--test") { Description = "Test fraction", DefaultValueFactory = _ => 0.15 };
        var folds = new Option<int>("--folds") { Description = "Stratified k-fold cross-validation first (e.g. 5, as the paper; per-fold and per-class mean ± sd in metrics.md), then the final model on the split; 0 = off" };
        var cache = new Option<string?>("--cache") { Description = "Folder caching frozen-backbone features between runs" };
        var copies = new Option<int>("--augment-copies") { Description = "Augmented copies per training image (rotation ±15°, exposure/contrast)", DefaultValueFactory = _ => 2 };

        var command = new Command("train", "Train the CNN-RNN model (the paper's head on a backbone's feature map)");
        foreach (var option in new Option[] { data, backbone, output, backboneOnnx, featureTensor, featureShape, inputSize, lstmUnits, activation, freeze, dense1, dense2, dropout, epochs, batch, lr, decay, optimizer, weightDecay, patience, seed, device, val, test, folds, copies, cache })
        {
            command.Options.Add(option);
        }

        command.SetAction(parse => CliErrors.Run(() =>
        {
            var shapeText = parse.GetValue(featureShape);
            int[]? shape = shapeText is null ? null : shapeText.Split(',').Select(s => int.TryParse(s, out var v) ? v : throw new ArgumentException($"--feature-shape '{shapeText}' must be C,H,W integers.")).ToArray();
            var request = new TrainRequest
            {
                DataDirectory = parse.GetValue(data)!,
                RunDirectory = parse.GetValue(output)!,
                Backbone = BackboneSpec.Parse(parse.GetValue(backbone)!, parse.GetValue(backboneOnnx), parse.GetValue(featureTensor), shape, parse.GetValue(inputSize)),
                Head = new HeadOptions
                {
                    LstmUnits = parse.GetValue(lstmUnits),
                    Activation = parse.GetValue(activation)!,
                    FreezeLstm = parse.GetValue(freeze),
                    Dense1 = parse.GetValue(dense1),
                    Dense2 = parse.GetValue(dense2),
                    Dropout = parse.GetValue(dropout),
                },
                Training = new TrainingOptions
                {
                    Epochs = parse.GetValue(epochs),
                    BatchSize = parse.GetValue(batch),
                    LearningRate = parse.GetValue(lr),
                    LearningRateDecay = parse.GetValue(decay),
                    Optimizer = parse.GetValue(optimizer)!,
                    WeightDecay = parse.GetValue(weightDecay),
                    Patience = parse.GetValue(patience),
                    Seed = parse.GetValue(seed),
                    Device = parse.GetValue(device)!,
                },
                Augmentation = new AugmentationOptions { CopiesPerImage = parse.GetValue(copies) },
                ValidationFraction = parse.GetValue(val),
                TestFraction = parse.GetValue(test),
                Folds = parse.GetValue(folds),
                CacheDirectory = parse.GetValue(cache),
            };
            new TrainingPipeline(Console.Out).Train(request);
        }));
        return command;
    }
}
