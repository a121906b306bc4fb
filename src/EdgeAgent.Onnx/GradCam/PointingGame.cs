namespace EdgeAgent.Onnx.GradCam;

/// <summary>
/// The pointing game used to score Grad-CAM localisation (shared by edge-train's evaluation and the agent's
/// quantization fidelity benchmark, so both count a hit the same way): the CAM is upsampled bilinearly to the image,
/// and a hit is when its maximum falls inside the lesion mask dilated by half a CAM cell (a CAM cannot place a maximum
/// more finely than that).
/// </summary>
public static class PointingGame
{
    /// <summary>Half a CAM cell in image pixels: the dilation of the mask for an image <paramref name="imageSize"/> wide.</summary>
    public static int Dilation(int imageSize, int camSize) => imageSize / camSize / 2;

    /// <summary>Bilinear upsampling of a CAM grid [camHeight, camWidth] to an image size (half-pixel centres, edges clamped).</summary>
    public static float[] Upsample(ReadOnlySpan<float> cam, int camHeight, int camWidth, int height, int width)
    {
        if (cam.Length != camHeight * camWidth)
        {
            throw new ArgumentException($"Expected a {camHeight}x{camWidth} CAM ({camHeight * camWidth} values), got {cam.Length}.", nameof(cam));
        }

        var output = new float[width * height];
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                // Continuous grid position with cell centres at integer + 0.5, clamped to the outer centres.
                var gx = Math.Clamp((x + 0.5f) * camWidth / width, 0.5f, camWidth - 0.5f) - 0.5f;
                var gy = Math.Clamp((y + 0.5f) * camHeight / height, 0.5f, camHeight - 0.5f) - 0.5f;
                var x0 = (int)MathF.Floor(gx);
                var y0 = (int)MathF.Floor(gy);
                var ax = gx - x0;
                var ay = gy - y0;
                var x1 = Math.Min(x0 + 1, camWidth - 1);
                var y1 = Math.Min(y0 + 1, camHeight - 1);
                var p00 = cam[(y0 * camWidth) + x0];
                var p10 = cam[(y0 * camWidth) + x1];
                var p01 = cam[(y1 * camWidth) + x0];
                var p11 = cam[(y1 * camWidth) + x1];
                output[(y * width) + x] = ((1 - ay) * (((1 - ax) * p00) + (ax * p10))) + (ay * (((1 - ax) * p01) + (ax * p11)));
            }
        }

        return output;
    }

    /// <summary>True when the CAM maximum lies inside the mask dilated by <paramref name="dilation"/> pixels (Chebyshev distance).</summary>
    public static bool Hit(ReadOnlySpan<float> upsampledCam, ReadOnlySpan<bool> mask, int width, int height, int dilation)
    {
        if (upsampledCam.Length != width * height || mask.Length != width * height)
        {
            throw new ArgumentException($"CAM ({upsampledCam.Length}) and mask ({mask.Length}) must both be {width}x{height}.");
        }

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
