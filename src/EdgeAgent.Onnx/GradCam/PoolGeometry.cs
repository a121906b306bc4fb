using Onnx;

namespace EdgeAgent.Onnx.GradCam;

/// <summary>Kernel, strides, explicit pads [top, left, bottom, right] and dilations of a 2-D pooling node.</summary>
internal sealed record PoolGeometry(long[] Kernel, long[] Strides, long[] Pads, long[] Dilations)
{
    public static PoolGeometry Of(GradientContext c, NodeProto n)
    {
        var xs = c.Shape(n.Input[0]);
        var ys = c.Shape(n.Output[0]);
        if (xs.Length != 4) throw new GradientRuleException("only 2-D pooling (rank-4 input) is supported");
        var kernel = Attr.GetInts(n, "kernel_shape") ?? throw new GradientRuleException("kernel_shape is missing");
        var strides = Attr.GetInts(n, "strides") ?? [1, 1];
        var dilations = Attr.GetInts(n, "dilations") ?? [1, 1];
        if (dilations.Any(v => v != 1) && n.OpType == "AveragePool") throw new GradientRuleException("dilated AveragePool is not supported");
        var autoPad = Attr.GetString(n, "auto_pad", "NOTSET");
        long[] pads;
        switch (autoPad)
        {
            case "NOTSET": pads = Attr.GetInts(n, "pads") ?? [0, 0, 0, 0]; break;
            case "VALID": pads = [0, 0, 0, 0]; break;
            case "SAME_UPPER" or "SAME_LOWER":
                pads = new long[4];
                for (int i = 0; i < 2; i++)
                {
                    var total = Math.Max(0, (ys[i + 2] - 1) * strides[i] + (kernel[i] - 1) * dilations[i] + 1 - xs[i + 2]);
                    var small = total / 2;
                    pads[i] = autoPad == "SAME_UPPER" ? small : total - small;
                    pads[i + 2] = total - pads[i];
                }
                break;
            default: throw new GradientRuleException($"auto_pad {autoPad} is not supported");
        }
        return new PoolGeometry(kernel, strides, pads, dilations);
    }
}
