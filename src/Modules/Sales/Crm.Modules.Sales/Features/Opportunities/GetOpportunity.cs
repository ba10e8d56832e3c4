using Crm.Modules.Identity.Contracts;
using Crm.Modules.Sales.Data;
using MediatR;
using Microsoft.EntityFrameworkCore;

namespace Crm.Modules.Sales.Features.Opportunities;

internal sealed record GetOpportunityRequest(Guid Id) : IRequest<VersionedOpportunity>;

internal sealed class GetOpportunityHandler(SalesDbContext db, IAccessScopeProvider access) : IRequestHandler<GetOpportunityRequest, VersionedOpportunity>
{
    public async Task<VersionedOpportunity> Handle(GetOpportunityRequest request, CancellationToken cancellationToken) =>
        VersionedOpportunity.From(await OpportunityAccess.FindVisibleAsync(db.Opportunities.AsNoTracking(), access, request.Id, cancellationToken));
}
