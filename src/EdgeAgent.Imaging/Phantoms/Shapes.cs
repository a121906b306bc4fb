namespace EdgeAgent.Imaging.Phantoms;

/// <summary>Small geometric helpers shared by the phantom painters.</summary>
internal static class Shapes
{
    public static float SmoothStep(float edge0, float edge1, float x)
    {
        var t = Math.Clamp((x - edge0) / (edge1 - edge0), 0f, 1f);
        return t * t * (3 - (2 * t));
    }

    /// <summary>1 well inside (d &lt; -soft), 0 well outside, smooth across a signed distance d.</summary>
    public static float Inside(float signedDistance, float soft) => 1f - SmoothStep(-soft, soft, signedDistance);

    public static float SegmentDistance(float px, float py, float ax, float ay, float bx, float by, out float t)
    {
        float dx = bx - ax, dy = by - ay;
        var len2 = (dx * dx) + (dy * dy);
        t = len2 > 0 ? Math.Clamp((((px - ax) * dx) + ((py - ay) * dy)) / len2, 0f, 1f) : 0f;
        float qx = ax + (t * dx) - px, qy = ay + (t * dy) - py;
        return MathF.Sqrt((qx * qx) + (qy * qy));
    }

    /// <summary>Distance from a point to a polyline, with the position along it (0..1) of the closest point.</summary>
    public static float PolylineDistance(float px, float py, (float X, float Y)[] points, out float along)
    {
        var best = float.MaxValue;
        along = 0;
        for (var i = 0; i + 1 < points.Length; i++)
        {
            var d = SegmentDistance(px, py, points[i].X, points[i].Y, points[i + 1].X, points[i + 1].Y, out var t);
            if (d < best)
            {
                best = d;
                along = (i + t) / (points.Length - 1);
            }
        }
        return best;
    }
}
