using EdgeAgent.Training.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace EdgeAgent.Training.Evaluation;

/// <summary>
/// Grad-CAM of the head with respect to the backbone feature map (computed with TorchSharp
/// autograd, the same definition the exported gradient subgraph implements: pre-softmax score,
/// spatial mean of the gradient as channel weights, ReLU of the weighted sum), and the pointing
/// game: a hit when the maximum of the CAM, upsampled bilinearly to the image, falls inside the
/// lesion mask dilated by half a CAM cell (the CAM cannot place a maximum more finely than that).
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

    /// <summary>Bilinear upsampling of a CAM grid to an image size (half-pixel centres, edges clamped).</summary>
    public static float[] Upsample(float[] cam, int camHeight, int camWidth, int height, int width)
    {
        var grid = new GrayImage(camWidth, camHeight, cam);
        var output = new float[width * height];
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var gx = Math.Clamp((x + 0.5f) * camWidth / width, 0.5f, camWidth - 0.5f);
                var gy = Math.Clamp((y + 0.5f) * camHeight / height, 0.5f, camHeight - 0.5f);
                output[(y * width) + x] = grid.Sample(gx, gy, 0f);
            }
        }

        return output;
    }

    /// <summary>True when the CAM maximum lies inside the mask dilated by <paramref name="dilation"/> pixels (Chebyshev distance).</summary>
    public static bool Hit(float[] upsampledCam, bool[] mask, int width, int height, int dilation)
    {
        var best = 0;
        for (var i = 1; i < upsampledCam.Length; i++)
        {
            if (upsampledCam[i] > upsampledCam[best])
            {
                best = i;
            }
        }

        if (upsampledCam[best] <= 0)
        {
            return false; // an all-zero CAM points nowhere
        }

        var bx = best % width;
        var by = best / width;
        for (var y = Math.Max(0, by - dilation); y <= Math.Min(height - 1, by + dilation); y++)
        {
            for (var x = Math.Max(0, bx - dilation); x <= Math.Min(width - 1, bx + dilation); x++)
            {
                if (mask[(y * width) + x])
                {
                    return true;
                }
            }
        }

        return false;
    }
}
