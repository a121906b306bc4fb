using TorchSharp;
using static TorchSharp.torch;

namespace EdgeAgent.Training.Models;

/// <summary>A TorchSharp backbone followed by the CNN-RNN head, trained end to end.</summary>
public sealed class CnnRnnModel : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE0044 // registered by reflection
    private nn.Module<Tensor, Tensor> backbone;
    private CnnRnnHead head;
#pragma warning restore IDE0044

    public CnnRnnModel(nn.Module<Tensor, Tensor> backbone, CnnRnnHead head) : base(nameof(CnnRnnModel))
    {
        this.backbone = backbone;
        this.head = head;
        RegisterComponents();
    }

    public CnnRnnHead Head => head;

    public nn.Module<Tensor, Tensor> Backbone => backbone;

    public override Tensor forward(Tensor images)
    {
        using var features = backbone.forward(images);
        return head.forward(features);
    }
}
