using System.CommandLine;
using EdgeAgent.Onnx.Quantization;
using Onnx;

namespace EdgeAgent.Cli;

/// <summary>
/// The quantization choices `model quantize` and `bench fidelity` share (--method, --percentile, --per-channel,
/// --activations, --exclude), with one set of defaults: the configuration docs/targets.md recommends.
/// </summary>
internal sealed class QuantizationCliOptions
{
    public Option<string> Method { get; } = new("--method")
    {
        Description = "Activation range: minmax, percentile or entropy (KL)",
        DefaultValueFactory = _ => "minmax",
    };

    public Option<double> Percentile { get; } = new("--percentile")
    {
        Description = "Percentile of |x| kept by --method percentile",
        DefaultValueFactory = _ => 99.99,
    };

    public Option<bool> PerChannel { get; } = new("--per-channel")
    {
        Description = "One weight scale per output channel for Conv and Gemm",
        DefaultValueFactory = _ => true,
    };

    public Option<string> Activations { get; } = new("--activations")
    {
        Description = "uint8 (x64 CPU, default) or int8 (symmetric: TensorRT, ARM)",
        DefaultValueFactory = _ => "uint8",
    };

    public Option<string[]> Exclude { get; } = new("--exclude")
    {
        Description = "Node names or op types to keep in float",
        AllowMultipleArgumentsPerToken = true,
    };

    public QuantizationCliOptions()
    {
        Method.AcceptOnlyFromAmong("minmax", "percentile", "entropy");
        Activations.AcceptOnlyFromAmong("uint8", "int8");
        Percentile.Validators.Add(result =>
        {
            var value = result.GetValueOrDefault<double>();
            if (!(value > 50 && value <= 100))
            {
                result.AddError($"--percentile must be above 50 and at most 100 (got {value}).");
            }
        });
    }

    public void AddTo(Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        command.Options.Add(Method);
        command.Options.Add(Percentile);
        command.Options.Add(PerChannel);
        command.Options.Add(Activations);
        command.Options.Add(Exclude);
    }

    /// <summary>
    /// The options for <paramref name="model"/>; --exclude entries must name a node or an op type of it, else
    /// <see cref="ArgumentException"/> names the unknown ones.
    /// </summary>
    public QuantizationOptions Build(ParseResult parse, ModelProto model, IReadOnlySet<string> floatOutputs)
    {
        ArgumentNullException.ThrowIfNull(parse);
        ArgumentNullException.ThrowIfNull(model);
        var exclusions = parse.GetValue(Exclude) ?? [];
        var opTypes = model.Graph.Node.Select(n => n.OpType).ToHashSet(StringComparer.Ordinal);
        var nodeNames = model.Graph.Node.Select(n => n.Name).ToHashSet(StringComparer.Ordinal);
        var unknown = exclusions.Where(e => !opTypes.Contains(e) && !nodeNames.Contains(e)).ToList();
        if (unknown.Count > 0)
        {
            throw new ArgumentException($"--exclude {string.Join(", ", unknown)}: no node or op type of that name in the model.");
        }

        return new QuantizationOptions
        {
            Method = parse.GetValue(Method) switch
            {
                "percentile" => CalibrationMethod.Percentile,
                "entropy" => CalibrationMethod.Entropy,
                _ => CalibrationMethod.MinMax,
            },
            Percentile = parse.GetValue(Percentile),
            PerChannel = parse.GetValue(PerChannel),
            Activations = parse.GetValue(Activations) == "int8" ? ActivationType.Int8 : ActivationType.UInt8,
            ExcludedNodes = exclusions.Where(nodeNames.Contains).ToHashSet(StringComparer.Ordinal),
            ExcludedOpTypes = exclusions.Where(opTypes.Contains).ToHashSet(StringComparer.Ordinal),
            FloatOutputs = floatOutputs,
        };
    }

    /// <summary>One line naming the choices, for reports.</summary>
    public static string Describe(QuantizationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var method = options.Method == CalibrationMethod.Percentile ? $"percentile {options.Percentile}" : options.Method.ToString().ToLowerInvariant();
        var excluded = options.ExcludedNodes.Concat(options.ExcludedOpTypes).ToList();
        return $"{method}, {options.Activations.ToString().ToLowerInvariant()} activations, per-channel weights {(options.PerChannel ? "on" : "off")}, " +
               $"excluded {(excluded.Count == 0 ? "none" : string.Join(" ", excluded))}";
    }
}
