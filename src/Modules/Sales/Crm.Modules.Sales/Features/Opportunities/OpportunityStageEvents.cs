using Crm.Modules.Sales.Contracts;
using Crm.Modules.Sales.Data;
using Crm.Modules.Sales.Domain;

namespace Crm.Modules.Sales.Features.Opportunities;

/// <summary>
/// The integration events of opportunities as every writer (the API, the import) raises them: Created; for a stage move
/// always StageChanged, plus Won or Lost when the move closes it and Reopened when it opens a closed one; OwnerChanged
/// when an open one gets another owner.
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
        StageChanged(opportunity.Id, opportunity.CustomerId, change.FromStageId, stage, opportunity.Status, change.ChangedAt);

    /// <summary>The StageChanged event of one move into <paramref name="stage"/>, leaving the opportunity <paramref name="status"/>.</summary>
    public static OpportunityStageChanged StageChanged(Guid opportunityId, Guid customerId, Guid fromStageId, PipelineStage stage, OpportunityStatus status, DateTimeOffset at) =>
        new(at)
        {
            OpportunityId = opportunityId,
            CustomerId = customerId,
            FromStageId = fromStageId,
            ToStageId = stage.Id,
            ToStageCode = stage.Code,
            Status = status.ToString().ToLowerInvariant(),
        };

    /// <summary>The events of one stage move; <paramref name="before"/> is the status the opportunity had before it.</summary>
    public static void Raise(SalesDbContext db, Opportunity opportunity, OpportunityStatus before, OpportunityStageChange change, PipelineStage stage, DateTimeOffset now)
    {
        db.AddIntegrationEvent(StageChanged(opportunity.Id, opportunity.CustomerId, change.FromStageId, stage, opportunity.Status, now));
        if (before != OpportunityStatus.Open && opportunity.Status == OpportunityStatus.Open)
        {
            db.AddIntegrationEvent(new OpportunityReopened(now)
            {
                OpportunityId = opportunity.Id,
                CustomerId = opportunity.CustomerId,
                Name = opportunity.Name,
                FromStatus = before.ToString().ToLowerInvariant(),
                StageId = stage.Id,
                StageCode = stage.Code,
                Amount = opportunity.Amount,
                Currency = opportunity.Currency,
                OwnerId = opportunity.OwnerId,
                ReopenedBy = change.ChangedBy,
            });
        }

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

    /// <summary>The OwnerChanged event of an opportunity given by <paramref name="changedBy"/> from <paramref name="fromOwnerId"/> to its current owner.</summary>
    public static OpportunityOwnerChanged OwnerChanged(Opportunity opportunity, Guid? fromOwnerId, Guid? changedBy, DateTimeOffset now) =>
        new(now)
        {
            OpportunityId = opportunity.Id,
            CustomerId = opportunity.CustomerId,
            Name = opportunity.Name,
            FromOwnerId = fromOwnerId,
            ToOwnerId = opportunity.OwnerId!.Value,
            ToTeamId = opportunity.TeamId,
            ChangedBy = changedBy,
            Amount = opportunity.Amount,
            Currency = opportunity.Currency,
        };
}
