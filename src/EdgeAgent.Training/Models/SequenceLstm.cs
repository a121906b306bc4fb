using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace EdgeAgent.Training.Models;

/// <summary>
/// One-layer, batch-first LSTM returning every step's hidden state. With tanh it is TorchSharp's
/// own nn.LSTM; with ReLU (the paper's Keras LSTM(activation='relu')) the cell runs here with the
/// same parameter layout: weights [4U, *] stacked in TorchSharp's gate order i, f, g, o, and the
/// activation replacing tanh on the candidate g and on the cell output.
/// </summary>
public sealed class SequenceLstm : nn.Module<Tensor, Tensor>
{
    private readonly LSTM? builtIn;
    private readonly Parameter? weightIh;
    private readonly Parameter? weightHh;
    private readonly Parameter? biasIh;
    private readonly Parameter? biasHh;

    public SequenceLstm(int inputSize, int units, string activation) : base(nameof(SequenceLstm))
    {
        InputSize = inputSize;
        Units = units;
        Activation = activation;
        if (activation == "tanh")
        {
            builtIn = nn.LSTM(inputSize, units, batchFirst: true);
        }
        else
        {
            // PyTorch's LSTM initialisation: U(-1/sqrt(units), 1/sqrt(units)) for every parameter.
            var bound = 1.0 / Math.Sqrt(units);
            weightIh = new Parameter(torch.empty(4 * units, inputSize).uniform_(-bound, bound));
            weightHh = new Parameter(torch.empty(4 * units, units).uniform_(-bound, bound));
            biasIh = new Parameter(torch.empty(4 * units).uniform_(-bound, bound));
            biasHh = new Parameter(torch.empty(4 * units).uniform_(-bound, bound));
        }

        RegisterComponents();
    }

    public int InputSize { get; }

    public int Units { get; }

    public string Activation { get; }

    /// <summary>W [4U, C], R [4U, U], Wb [4U], Rb [4U] in TorchSharp's gate order i, f, g, o.</summary>
    public (Tensor W, Tensor R, Tensor Wb, Tensor Rb) Weights
    {
        get
        {
            if (builtIn is not null)
            {
                var p = builtIn.named_parameters().ToDictionary(x => x.name, x => (Tensor)x.parameter);
                return (p["weight_ih_l0"], p["weight_hh_l0"], p["bias_ih_l0"], p["bias_hh_l0"]);
            }

            return (weightIh!, weightHh!, biasIh!, biasHh!);
        }
    }

    public override Tensor forward(Tensor input)
    {
        if (builtIn is not null)
        {
            var (output, lastH, lastC) = builtIn.forward(input);
            lastH.Dispose();
            lastC.Dispose();
            return output;
        }

        var batch = input.shape[0];
        var steps = input.shape[1];
        // Input projections of all steps in one matmul: [N, T, 4U].
        using var projected = torch.nn.functional.linear(input, weightIh!, biasIh!);
        var h = torch.zeros(batch, Units, dtype: input.dtype, device: input.device);
        var c = torch.zeros(batch, Units, dtype: input.dtype, device: input.device);
        var outputs = new List<Tensor>((int)steps);
        for (long t = 0; t < steps; t++)
        {
            using var gates = projected.select(1, t) + torch.nn.functional.linear(h, weightHh!, biasHh!);
            var chunks = gates.chunk(4, 1);
            using var i = torch.sigmoid(chunks[0]);
            using var f = torch.sigmoid(chunks[1]);
            using var g = torch.nn.functional.relu(chunks[2]);
            using var o = torch.sigmoid(chunks[3]);
            var nextC = (f * c) + (i * g);
            var nextH = o * torch.nn.functional.relu(nextC);
            foreach (var chunk in chunks)
            {
                chunk.Dispose();
            }

            c = nextC;
            h = nextH;
            outputs.Add(h);
        }

        return torch.stack(outputs, 1);
    }
}
