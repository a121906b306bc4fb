using SkiaSharp;

namespace EdgeAgent.Training.Data;

/// <summary>Reads an image file (PNG/JPEG) as gray 0..255; errors name the file.</summary>
public static class ImageFileReader
{
    public static GrayImage Read(string path)
    {
        using var bitmap = SKBitmap.Decode(path)
            ?? throw new InvalidDataException($"Image '{path}' cannot be decoded (not a readable PNG, JPEG or DICOM file).");
        var pixels = new float[bitmap.Width * bitmap.Height];
        for (var y = 0; y < bitmap.Height; y++)
        {
            for (var x = 0; x < bitmap.Width; x++)
            {
                var c = bitmap.GetPixel(x, y);
                pixels[(y * bitmap.Width) + x] = (0.299f * c.Red) + (0.587f * c.Green) + (0.114f * c.Blue);
            }
        }

        return new GrayImage(bitmap.Width, bitmap.Height, pixels);
    }
}
