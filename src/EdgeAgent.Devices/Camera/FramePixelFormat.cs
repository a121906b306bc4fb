namespace EdgeAgent.Devices.Camera;

/// <summary>The pixel layouts a capture device can deliver that the agent knows how to decode.</summary>
public enum FramePixelFormat
{
    /// <summary>YUV 4:2:2 packed as Y0 U Y1 V (V4L2 "YUYV"), 2 bytes per pixel.</summary>
    Yuyv,

    /// <summary>Each frame a JPEG image (V4L2 "MJPG"); UVC devices often leave out the Huffman tables.</summary>
    Mjpeg,

    /// <summary>8-bit luminance only (V4L2 "GREY"), 1 byte per pixel.</summary>
    Grey,
}
