namespace EdgeAgent.Onnx.Assembly;

/// <summary>
/// Where the frozen ResNet18 is cut: which CNTK tensor becomes the feature map. The last stage gives the
/// classic 512x7x7 map; the third stage a 256x14x14 map whose stride-16 cells let a Grad-CAM place its
/// maximum twice as finely (the bundled model uses it, see models/cnn-rnn-resnet18-phantoms/README.md).
/// </summary>
public sealed record ResNet18Cut(string Name, string CntkTensor, int Channels, int Size)
{
    /// <summary>After the last residual block's ReLU, before the 7x7 average pool.</summary>
    public static ResNet18Cut LastStage { get; } = new("resnet18", "ReLU393_Output_0", 512, 7);

    /// <summary>After the third stage's last residual block's ReLU.</summary>
    public static ResNet18Cut ThirdStage { get; } = new("resnet18-stage3", "ReLU347_Output_0", 256, 14);

    public static IReadOnlyList<ResNet18Cut> All { get; } = [LastStage, ThirdStage];

    /// <summary>The cut whose backbone name is <paramref name="name"/>, or null.</summary>
    public static ResNet18Cut? ByName(string name) => All.FirstOrDefault(c => c.Name == name);

    /// <summary>The cut producing a [C, H, W] feature map, so a head says by its input shape which backbone it needs.</summary>
    public static ResNet18Cut ForFeatureShape(long channels, long height, long width) =>
        All.FirstOrDefault(c => c.Channels == channels && c.Size == height && c.Size == width)
        ?? throw new InvalidOperationException(
            $"No ResNet18 cut gives a {channels}x{height}x{width} feature map; known: " +
            string.Join(", ", All.Select(c => $"{c.Name} {c.Channels}x{c.Size}x{c.Size}")) + ".");
}
