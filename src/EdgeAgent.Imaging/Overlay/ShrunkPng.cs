namespace EdgeAgent.Imaging.Overlay;

/// <summary>An overlay re-encoded smaller by <see cref="OverlayShrinker"/>, with its new size in pixels.</summary>
public sealed record ShrunkPng(byte[] Png, int Width, int Height);
