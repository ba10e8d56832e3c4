using Crm.Modules.Sales.Domain;

namespace Crm.UnitTests.Sales;

internal sealed class PipelineEditingRulesTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 1, 9, 0, 0, TimeSpan.Zero);

    [Test]
    public void Closing_stages_keep_their_probability_and_cannot_be_retired()
    {
        var pipelineId = Guid.CreateVersion7();
        var won = PipelineStage.Create(pipelineId, "closedWon", "Won", 2, 100, StageKind.Won, Start);
        var lost = PipelineStage.Create(pipelineId, "closedLost", "Lost", 3, 0, StageKind.Lost, Start);

        won.ChangeProbability(100);

        Assert.Multiple(() =>
        {
            Assert.That(() => won.ChangeProbability(90), Throws.InvalidOperationException);
            Assert.That(() => lost.ChangeProbability(10), Throws.InvalidOperationException);
            Assert.That(won.Retire, Throws.InvalidOperationException);
            Assert.That(won.Active, Is.True);
        });
    }

    [Test]
    public void An_open_stage_is_renamed_retired_and_reactivated_and_keeps_its_code()
    {
        var stage = PipelineStage.Create(Guid.CreateVersion7(), "demo", "Demo", 1, 20, StageKind.Open, Start, "  ");

        stage.Rename("  Product demo ", " 产品演示 ");
        stage.ChangeProbability(25);
        stage.Retire();
        var retired = stage.Active;
        stage.Reactivate();

        Assert.Multiple(() =>
        {
            Assert.That((stage.Code, stage.Name, stage.NameZh, stage.Probability), Is.EqualTo(("demo", "Product demo", "产品演示", 25)));
            Assert.That(retired, Is.False);
            Assert.That(stage.Active, Is.True);
            Assert.That(() => stage.ChangeProbability(101), Throws.InstanceOf<ArgumentOutOfRangeException>());
        });
    }

    [Test]
    public void The_default_pipeline_cannot_be_deactivated()
    {
        var pipeline = Pipeline.Create("Project sales", Start, " 项目型销售 ");
        pipeline.MakeDefault(Start);

        pipeline.Rename("Projects", null, Start.AddHours(1));

        Assert.Multiple(() =>
        {
            Assert.That(() => pipeline.SetActive(false, Start), Throws.InvalidOperationException);
            Assert.That((pipeline.Name, pipeline.NameZh, pipeline.Active, pipeline.UpdatedAt), Is.EqualTo(("Projects", (string?)null, true, Start.AddHours(1))));
        });
    }
}
