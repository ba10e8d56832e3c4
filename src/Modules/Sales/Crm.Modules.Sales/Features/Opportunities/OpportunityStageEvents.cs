using Crm.Modules.Sales.Contracts;
using Crm.Modules.Sales.Data;
using Crm.Modules.Sales.Domain;

namespace Crm.Modules.Sales.Features.Opportunities;

/// <summary>The integration events of a stage move: always StageChanged, plus Won or Lost when the move closes it.</summary>
internal static class OpportunityStageEvents
{
    public static void Raise(SalesDbContext db, Opportunity opportunity, OpportunityStageChange change, PipelineStage stage, DateTimeOffset now)
    {
        db.AddIntegrationEvent(StageChanged(opportunity.Id, opportunity.CustomerId, change.FromStageId, stage, opportunity.Status, now));
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

    /// <summary>The StageChanged event of one move into <paramref name="stage"/>, leaving the opportunity <paramref name="status"/>.</summary>
    public static OpportunityStageChanged StageChanged(Guid opportunityId, Guid customerId, Guid fromStageId, PipelineStage stage, OpportunityStatus status, DateTimeOffset now) =>
        new(now)
        {
            OpportunityId = opportunityId,
            CustomerId = customerId,
            FromStageId = fromStageId,
            ToStageId = stage.Id,
            ToStageCode = stage.Code,
            Status = status.ToString().ToLowerInvariant(),
        };
}
