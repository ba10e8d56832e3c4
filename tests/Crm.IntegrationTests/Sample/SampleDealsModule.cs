using Crm.Modules.Identity.Contracts;
using Crm.SharedKernel.Errors;
using Crm.SharedKernel.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;

namespace Crm.IntegrationTests.Sample;

internal sealed record SampleDealItem(Guid Id, string Title, Guid? OwnerId);

internal sealed record NewSampleDeal(string Title, bool Unowned = false);

/// <summary>Owned records behind permissions and visibility, the way business modules will serve theirs.</summary>
internal static class SampleDealsModule
{
    public static void Map(IEndpointRouteBuilder api)
    {
        var deals = api.MapGroup("/sample-deals");
        deals.MapPost("/", async Task<Created<SampleDealItem>> (NewSampleDeal body, NotesDbContext db, ICurrentActor actor, CancellationToken ct) =>
        {
            var deal = SampleDeal.Create(body.Title, body.Unowned ? null : actor.Id);
            db.Deals.Add(deal);
            await db.SaveChangesAsync(ct);
            return TypedResults.Created($"/api/v1/sample-deals/{deal.Id}", new SampleDealItem(deal.Id, deal.Title, deal.OwnerId));
        }).RequirePermission(Permissions.SalesWrite);

        deals.MapGet("/", async Task<Ok<List<SampleDealItem>>> (NotesDbContext db, IAccessScopeProvider access, CancellationToken ct) =>
        {
            var scope = await access.GetAsync(ct);
            return TypedResults.Ok(await db.Deals.AsNoTracking()
                .Where(scope.Filter<SampleDeal>(d => d.OwnerId, includeUnowned: true))
                .OrderBy(d => d.Title)
                .Select(d => new SampleDealItem(d.Id, d.Title, d.OwnerId))
                .ToListAsync(ct));
        }).RequirePermission(Permissions.SalesRead);

        deals.MapGet("/{id:guid}", async Task<Ok<SampleDealItem>> (Guid id, NotesDbContext db, IAccessScopeProvider access, CancellationToken ct) =>
        {
            var scope = await access.GetAsync(ct);
            var deal = await db.Deals.AsNoTracking()
                .Where(d => d.Id == id)
                .Where(scope.Filter<SampleDeal>(d => d.OwnerId))
                .Select(d => new SampleDealItem(d.Id, d.Title, d.OwnerId))
                .SingleOrDefaultAsync(ct) ?? throw new NotFoundException("Deal", id);
            return TypedResults.Ok(deal);
        }).RequirePermission(Permissions.SalesRead);
    }
}
