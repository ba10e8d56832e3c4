using System.Text.Json.Serialization;
using Crm.Modules.Identity.Contracts;
using Crm.Modules.Sales.Data;
using Crm.SharedKernel.Http;
using Crm.SharedKernel.Time;
using FluentValidation;
using MediatR;

namespace Crm.Modules.Sales.Features.Leads;

/// <summary>Qualify a lead (有效线索): from new or contacted.</summary>
internal sealed record QualifyLeadRequest(Guid Id, IfMatch IfMatch) : IRequest<VersionedLead>;

/// <summary>Disqualify a lead (无效线索) with a reason: from new, contacted or qualified.</summary>
/// <param name="Reason">Why (required, at most 500 characters): no budget, wrong contact, competitor, ...</param>
internal sealed record DisqualifyLeadRequest(string? Reason) : IRequest<VersionedLead>
{
    [JsonIgnore]
    public Guid Id { get; init; }

    [JsonIgnore]
    public IfMatch IfMatch { get; init; } = IfMatch.None;
}

internal sealed class DisqualifyLeadValidator : AbstractValidator<DisqualifyLeadRequest>
{
    public DisqualifyLeadValidator() => RuleFor(r => r.Reason).NotEmpty().MaximumLength(500);
}

internal sealed class LeadStatusHandlers(SalesDbContext db, IAccessScopeProvider access, TimeProvider time)
    : IRequestHandler<QualifyLeadRequest, VersionedLead>, IRequestHandler<DisqualifyLeadRequest, VersionedLead>
{
    public async Task<VersionedLead> Handle(QualifyLeadRequest request, CancellationToken cancellationToken)
    {
        var lead = await LeadAccess.FindVisibleAsync(db.Leads, access, request.Id, cancellationToken);
        request.IfMatch.EnsureMatches(lead.Version);
        if (!lead.Qualify(time.UtcNow()))
        {
            throw LeadsProblems.InvalidTransition(lead, "qualified");
        }

        await db.SaveChangesAsync(cancellationToken);
        return LeadProjection.Versioned(lead);
    }

    public async Task<VersionedLead> Handle(DisqualifyLeadRequest request, CancellationToken cancellationToken)
    {
        var lead = await LeadAccess.FindVisibleAsync(db.Leads, access, request.Id, cancellationToken);
        request.IfMatch.EnsureMatches(lead.Version);
        var now = time.UtcNow();
        if (!lead.Disqualify(request.Reason!, now))
        {
            throw LeadsProblems.InvalidTransition(lead, "disqualified");
        }

        db.AddIntegrationEvent(LeadIntegrationEvents.Disqualified(lead, now));
        await db.SaveChangesAsync(cancellationToken);
        return LeadProjection.Versioned(lead);
    }
}
