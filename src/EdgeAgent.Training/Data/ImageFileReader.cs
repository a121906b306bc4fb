using EdgeAgent.Imaging;

namespace EdgeAgent.Training.Data;

/// <summary>
/// Reads an image file (PNG, JPEG, DICOM, ...) through EdgeAgent.Imaging, the decoder the agent
/// uses, as gray 0..255; errors name the file.
/// </summary>
public static class ImageFileReader
{
    public static GrayImage Read(string path)
    {
        try
        {
            var decoded = ImageDecoder.DecodeFile(path);
            return new GrayImage(decoded.Width, decoded.Height, decoded.ToGray());
        }
        catch (Exception e) when (e is ImageDecodeException or IOException)
        {
            throw new InvalidDataException($"Image '{path}' cannot be read: {e.Message}", e);
        }
    }
}
