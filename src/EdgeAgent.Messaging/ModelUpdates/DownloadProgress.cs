namespace EdgeAgent.Messaging.ModelUpdates;

/// <summary>Chunks and bytes verified and on disk so far.</summary>
public readonly record struct DownloadProgress(int Chunks, int TotalChunks, long Bytes, long TotalBytes)
{
    public int Percent => TotalBytes == 0 ? 100 : (int)(Bytes * 100 / TotalBytes);
}
