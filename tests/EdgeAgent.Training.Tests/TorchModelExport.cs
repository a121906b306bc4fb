using EdgeAgent.Onnx.Assembly;
using EdgeAgent.Onnx.Packaging;
using EdgeAgent.Training.Export;
using EdgeAgent.Training.Models;
using EdgeAgent.Training.Training;
using Onnx;
using TorchSharp;
using TorchSharp.Modules;

namespace EdgeAgent.Training.Tests;

/// <summary>Exports a whole TorchSharp CNN-RNN model (backbone + head + Grad-CAM) the way `edge-train export` does.</summary>
internal static class TorchModelExport
{
    /// <summary>
    /// A tanh LSTM keeps the random head's state bounded over the sequence, so the logits check is
    /// about the backbone; the ReLU LSTM's export has its own test (HeadExportParityTests).
    /// </summary>
    public static readonly HeadOptions SmallHead = new() { LstmUnits = 8, Activation = "tanh", Dense1 = 16, Dense2 = 8, Dropout = 0 };

    /// <returns>The assembled model, with the backbone's feature map also declared a graph output, and its manifest.</returns>
    public static (ModelProto Model, ModelManifest Manifest) Export(RunModel model)
    {
        var backbone = TorchBackboneOnnxExporter.Export(model);
        var template = new ModelManifest
        {
            Name = "torch-export-test",
            Version = "0.1.0",
            Labels = ["covid", "pneumonia", "normal"],
            Input = backbone.Input,
            Outputs = new OutputSpec { Logits = HeadOnnxExporter.LogitsName, Probabilities = HeadOnnxExporter.ProbabilitiesName },
            Sha256 = "",
        };
        var (assembled, manifest) = BundledModelAssembler.Assemble(HeadOnnxExporter.Export(model.Head), backbone, template);
        // One session then gives both the feature map and the logits (the joiner keeps the map as value info).
        assembled.Graph.Output.Add(assembled.Graph.ValueInfo.Single(v => v.Name == TorchBackboneOnnxExporter.FeatureName).Clone());
        return (assembled, manifest);
    }

    /// <summary>
    /// Weights in the range a trained network has, with every number of the inference form in use:
    /// convolutions He-normal (std sqrt(2 / fan-in), which keeps the activations' scale through
    /// ReLU layers, so a deep network's feature map is not ~0 in eval mode), and batch norms with
    /// running mean ~N(0, 0.1), variance ~U(0.5, 1.5), scale ~U(0.5, 1.5) and shift ~N(0, 0.1), so a
    /// mixed-up mean, variance, scale or shift in the export changes the output.
    /// (Statistics fitted on a handful of random images are no substitute: channels whose few
    /// values nearly coincide get divided by a near-zero spread and amplify rounding a thousandfold.)
    /// </summary>
    public static void SetTrainedLikeWeights(torch.nn.Module<torch.Tensor, torch.Tensor> module, int seed)
    {
        torch.manual_seed(seed);
        using var noGrad = torch.no_grad();
        foreach (var child in module.modules())
        {
            switch (child)
            {
                case Conv2d conv:
                    var fanIn = conv.weight!.shape[1] * conv.weight.shape[2] * conv.weight.shape[3];
                    conv.weight.normal_(0, Math.Sqrt(2.0 / fanIn));
                    break;
                case BatchNorm norm:
                    norm.running_mean!.normal_(0, 0.1);
                    norm.running_var!.uniform_(0.5, 1.5);
                    norm.weight!.uniform_(0.5, 1.5);
                    norm.bias!.normal_(0, 0.1);
                    break;
            }
        }

        module.eval();
    }
}
