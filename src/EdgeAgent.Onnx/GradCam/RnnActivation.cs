using Onnx;

namespace EdgeAgent.Onnx.GradCam;

/// <summary>One entry of a recurrent op's <c>activations</c> attribute: emits the function and its derivative.</summary>
internal sealed record RnnActivation(string Name, float Alpha, float Beta)
{
    public static RnnActivation[] Parse(NodeProto n, string[] defaults, int directions)
    {
        var names = Attr.GetStrings(n, "activations") ?? Enumerable.Range(0, directions).SelectMany(_ => defaults).ToArray();
        var alphas = new Queue<float>(Attr.GetFloats(n, "activation_alpha") ?? []);
        var betas = new Queue<float>(Attr.GetFloats(n, "activation_beta") ?? []);
        var result = new RnnActivation[names.Length];
        for (int i = 0; i < names.Length; i++)
        {
            var name = names[i].ToLowerInvariant();
            var (alpha, beta) = name switch
            {
                "leakyrelu" => (Take(alphas, 0.01f), 0f),
                "thresholdedrelu" => (Take(alphas, 1f), 0f),
                "elu" => (Take(alphas, 1f), 0f),
                "hardsigmoid" => (Take(alphas, 0.2f), Take(betas, 0.5f)),
                "affine" => (Take(alphas, 1f), Take(betas, 0f)),
                "scaledtanh" => (Take(alphas, 1f), Take(betas, 1f)),
                "sigmoid" or "tanh" or "relu" or "softsign" or "softplus" => (0f, 0f),
                _ => throw new GradientRuleException($"recurrent activation '{names[i]}' is not supported"),
            };
            result[i] = new RnnActivation(name, alpha, beta);
        }
        return result;
    }

    private static float Take(Queue<float> q, float fallback) => q.Count > 0 ? q.Dequeue() : fallback;

    public string Apply(GradientGraphEmitter e, string z) => Name switch
    {
        "sigmoid" => e.Op("Sigmoid", [z]),
        "tanh" => e.Op("Tanh", [z]),
        "relu" => e.Op("Relu", [z]),
        "leakyrelu" => e.Op("LeakyRelu", [z], Attr.Float("alpha", Alpha)),
        "thresholdedrelu" => e.Op("ThresholdedRelu", [z], Attr.Float("alpha", Alpha)),
        "elu" => e.Op("Elu", [z], Attr.Float("alpha", Alpha)),
        "hardsigmoid" => e.Op("HardSigmoid", [z], Attr.Float("alpha", Alpha), Attr.Float("beta", Beta)),
        "affine" => e.Add(e.Mul(z, e.ScalarFloat(Alpha)), e.ScalarFloat(Beta)),
        "scaledtanh" => e.Mul(e.Op("Tanh", [e.Mul(z, e.ScalarFloat(Beta))]), e.ScalarFloat(Alpha)),
        "softsign" => e.Op("Softsign", [z]),
        "softplus" => e.Op("Softplus", [z]),
        _ => throw new GradientRuleException($"recurrent activation '{Name}' is not supported"),
    };

    /// <summary>f'(z) as a tensor shaped like z, given z and y = f(z).</summary>
    public string Derivative(GradientGraphEmitter e, string z, string y)
    {
        string Step(string cond, float on, float off) => e.Op("Where", [cond, e.ScalarFloat(on), e.ScalarFloat(off)]);
        string Gt(string a, float v) => e.Op("Greater", [a, e.ScalarFloat(v)]);
        switch (Name)
        {
            case "sigmoid": return e.Mul(y, e.OneMinus(y));
            case "tanh": return e.OneMinus(e.Mul(y, y));
            case "relu": return Step(Gt(z, 0f), 1f, 0f);
            case "leakyrelu": return Step(Gt(z, 0f), 1f, Alpha);
            case "thresholdedrelu": return Step(Gt(z, Alpha), 1f, 0f);
            case "elu": return e.Op("Where", [Gt(z, 0f), e.ScalarFloat(1f), e.Add(y, e.ScalarFloat(Alpha))]);
            case "hardsigmoid":
                var a = e.Add(e.Mul(z, e.ScalarFloat(Alpha)), e.ScalarFloat(Beta));
                var inside = e.Op("And", [Gt(a, 0f), e.Op("Less", [a, e.ScalarFloat(1f)])]);
                return Step(inside, Alpha, 0f);
            case "affine": return e.Add(e.Mul(z, e.ScalarFloat(0f)), e.ScalarFloat(Alpha));
            case "scaledtanh":
                var t = e.Div(y, e.ScalarFloat(Alpha));
                return e.Mul(e.OneMinus(e.Mul(t, t)), e.ScalarFloat(Alpha * Beta));
            case "softsign":
                var denom = e.Add(e.Op("Abs", [z]), e.ScalarFloat(1f));
                return e.Div(e.ScalarFloat(1f), e.Mul(denom, denom));
            case "softplus": return e.Op("Sigmoid", [z]);
            default: throw new GradientRuleException($"recurrent activation '{Name}' is not supported");
        }
    }
}
