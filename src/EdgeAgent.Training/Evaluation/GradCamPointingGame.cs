using TorchSharp;
using static TorchSharp.torch;

namespace EdgeAgent.Training.Evaluation;

/// <summary>
/// Grad-CAM of the head with respect to the backbone feature map (computed with TorchSharp
/// autograd, the same definition the exported gradient subgraph implements: pre-softmax score,
/// spatial mean of the gradient as channel weights, ReLU of the weighted sum). The pointing game
/// that scores it is <see cref="EdgeAgent.Onnx.GradCam.PointingGame"/>, shared with the agent.
/// </summary>
public static class GradCamPointingGame
{
    /// <summary>CAM [H, W] of class <paramref name="classIndex"/> for one feature map [C*H*W].</summary>
    /// <remarks>The target is the tensor the sequence reads: the standardised map when the head standardises.</remarks>
    public static float[] Cam(Models.CnnRnnHead head, float[] features, int channels, int height, int width, int classIndex)
    {
        using var scope = torch.NewDisposeScope();
        head.eval();
        Tensor a;
        using (torch.no_grad())
        {
            a = head.Standardize(torch.tensor(features, [1, channels, height, width]));
        }

        a = a.detach().requires_grad_(true);
        var logits = head.Classify(a);
        var grad = torch.autograd.grad([logits[0, classIndex]], [a])[0];
        var alpha = grad.mean([2, 3], keepdim: true);          // [1, C, 1, 1]
        var cam = nn.functional.relu((alpha * a).sum(1))[0];   // [H, W]
        return cam.detach().data<float>().ToArray();
    }
}
