using Crm.Modules.Sales.Contracts;
using Crm.Modules.Sales.Data;
using Crm.Modules.Sales.Domain;

namespace Crm.Modules.Sales.Features.Opportunities;

/// <summary>
/// The integration events of opportunities as every writer (the API, the import) raises them: Created; for a stage move
/// always StageChanged, plus Won or Lost when the move closes it.
/// </summary>
internal static class OpportunityStageEvents
{
    public static OpportunityCreated Created(Opportunity opportunity) => new(opportunity.CreatedAt)
    {
        OpportunityId = opportunity.Id,
        CustomerId = opportunity.CustomerId,
        Name = opportunity.Name,
        PipelineId = opportunity.PipelineId,
        StageId = opportunity.StageId,
        Amount = opportunity.Amount,
        Currency = opportunity.Currency,
        OwnerId = opportunity.OwnerId,
    };

    public static OpportunityStageChanged StageChanged(Opportunity opportunity, OpportunityStageChange change, PipelineStage stage) =>
        new(change.ChangedAt)
        {
            OpportunityId = opportunity.Id,
            CustomerId = opportunity.CustomerId,
            FromStageId = change.FromStageId,
            ToStageId = change.ToStageId,
            ToStageCode = stage.Code,
            Status = opportunity.Status.ToString().ToLowerInvariant(),
        };

    public static void Raise(SalesDbContext db, Opportunity opportunity, OpportunityStageChange change, PipelineStage stage, DateTimeOffset now)
    {
        db.AddIntegrationEvent(StageChanged(opportunity, change, stage));
        if (opportunity.Status == OpportunityStatus.Won)
        {
            db.AddIntegrationEvent(new OpportunityWon(now)
            {
                OpportunityId = opportunity.Id,
                CustomerId = opportunity.CustomerId,
                Name = opportunity.Name,
                Amount = opportunity.Amount,
                Currency = opportunity.Currency,
                OwnerId = opportunity.OwnerId,
            });
        }
        else if (opportunity.Status == OpportunityStatus.Lost)
        {
            db.AddIntegrationEvent(new OpportunityLost(now)
            {
                OpportunityId = opportunity.Id,
                CustomerId = opportunity.CustomerId,
                Name = opportunity.Name,
                Reason = opportunity.LostReason,
                CompetitorId = opportunity.LostToCompetitorId,
                Amount = opportunity.Amount,
                Currency = opportunity.Currency,
                OwnerId = opportunity.OwnerId,
            });
        }
    }
}
