using System.Text.Json;

namespace EdgeAgent.Models.Updates;

/// <summary>
/// Reads and writes state.json atomically (temp file, fsync, rename): after a crash at any
/// moment it names either the old or the new active package, both verified before they were written here.
/// </summary>
public sealed class UpdateStateFile(string directory)
{
    public const string FileName = "state.json";

    private readonly Lock _gate = new();

    public string Path { get; } = System.IO.Path.Combine(directory, FileName);

    public UpdateState Read()
    {
        if (!File.Exists(Path))
        {
            return new UpdateState();
        }
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllBytes(Path), UpdateStateJsonContext.Default.UpdateState) ?? new UpdateState();
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{Path} is not valid update state ({ex.Message}); remove it to start from Model:Path", ex);
        }
    }

    /// <summary>
    /// Read, change and write as one step, serialised with every other change through this instance; nothing is
    /// written when <paramref name="change"/> returns the state it was given.
    /// </summary>
    public UpdateState Update(Func<UpdateState, UpdateState> change)
    {
        lock (_gate)
        {
            var current = Read();
            var next = change(current);
            if (!ReferenceEquals(next, current))
            {
                WriteUnlocked(next);
            }
            return next;
        }
    }

    public void Write(UpdateState state)
    {
        lock (_gate)
        {
            WriteUnlocked(state);
        }
    }

    private void WriteUnlocked(UpdateState state)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        var temp = Path + ".tmp";
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            stream.Write(JsonSerializer.SerializeToUtf8Bytes(state, UpdateStateJsonContext.Default.UpdateState));
            stream.Flush(flushToDisk: true);
        }
        // rename(2) replaces the file atomically: readers see the old or the new state, never a mix. .NET cannot
        // fsync a directory, so the rename itself becomes durable with the file system's next journal commit.
        File.Move(temp, Path, overwrite: true);
    }
}
