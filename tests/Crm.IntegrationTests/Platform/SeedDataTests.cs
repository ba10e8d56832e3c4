using Crm.IntegrationTests.Infrastructure;
using Crm.Modules.Sales.Domain;

namespace Crm.IntegrationTests.Platform;

/// <summary>The reset between tests empties the tables but keeps what the migrations seed.</summary>
internal sealed class SeedDataTests : IntegrationTest
{
    [Test]
    public async Task The_default_pipeline_and_its_stages_are_back_after_a_test_deleted_them()
    {
        await CountAsync("WITH gone AS (DELETE FROM sales.pipeline_stages RETURNING 1) SELECT count(*) FROM gone");
        await CountAsync("WITH gone AS (DELETE FROM sales.pipelines RETURNING 1) SELECT count(*) FROM gone");

        await IntegrationTestRun.ResetAsync();

        Assert.Multiple(async () =>
        {
            Assert.That(await CountAsync($"SELECT count(*) FROM sales.pipelines WHERE id = '{Pipeline.DefaultId}' AND is_default"), Is.EqualTo(1));
            Assert.That(await CountAsync("SELECT count(*) FROM sales.pipeline_stages"), Is.EqualTo(PipelineStage.DefaultStagesSeed().Count));
        });
    }
}
