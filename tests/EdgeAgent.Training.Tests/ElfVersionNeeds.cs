using System.Buffers.Binary;
using System.Text;

namespace EdgeAgent.Training.Tests;

/// <summary>Reads the version requirements (.gnu.version_r) of an ELF64 little-endian file: name -> vna_flags.</summary>
internal static class ElfVersionNeeds
{
    public const int WeakFlag = 0x2;

    public static Dictionary<string, int> Read(string path)
    {
        var elf = File.ReadAllBytes(path).AsSpan();
        var shoff = (int)BinaryPrimitives.ReadUInt64LittleEndian(elf[0x28..]);
        int shentsize = BinaryPrimitives.ReadUInt16LittleEndian(elf[0x3A..]);
        int shnum = BinaryPrimitives.ReadUInt16LittleEndian(elf[0x3C..]);
        var result = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var s = 0; s < shnum; s++)
        {
            var sh = shoff + (s * shentsize);
            if (BinaryPrimitives.ReadUInt32LittleEndian(elf[(sh + 4)..]) != 0x6ffffffe)
            {
                continue;
            }

            var need = (int)BinaryPrimitives.ReadUInt64LittleEndian(elf[(sh + 0x18)..]);
            var link = (int)BinaryPrimitives.ReadUInt32LittleEndian(elf[(sh + 0x28)..]);
            var strtab = (int)BinaryPrimitives.ReadUInt64LittleEndian(elf[(shoff + (link * shentsize) + 0x18)..]);
            while (true)
            {
                int count = BinaryPrimitives.ReadUInt16LittleEndian(elf[(need + 2)..]);
                var aux = need + (int)BinaryPrimitives.ReadUInt32LittleEndian(elf[(need + 8)..]);
                for (var a = 0; a < count; a++)
                {
                    var nameAt = strtab + (int)BinaryPrimitives.ReadUInt32LittleEndian(elf[(aux + 8)..]);
                    var name = Encoding.ASCII.GetString(elf[nameAt..][..elf[nameAt..].IndexOf((byte)0)]);
                    result[name] = BinaryPrimitives.ReadUInt16LittleEndian(elf[(aux + 4)..]);
                    aux += (int)BinaryPrimitives.ReadUInt32LittleEndian(elf[(aux + 12)..]);
                }

                var next = (int)BinaryPrimitives.ReadUInt32LittleEndian(elf[(need + 12)..]);
                if (next == 0)
                {
                    break;
                }

                need += next;
            }
        }

        return result;
    }
}
