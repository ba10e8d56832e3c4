using Crm.Modules.Identity.Auth;
using Crm.SharedKernel.Errors;
using Crm.SharedKernel.Http;
using Crm.SharedKernel.Security;
using MediatR;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Crm.Modules.Identity.Features.Auth;

internal static class AuthEndpoints
{
    public static void Map(IEndpointRouteBuilder api)
    {
        // With an external OpenID Connect authority, it issues the tokens: there is no local sign-in to offer.
        if (!api.ServiceProvider.GetRequiredService<IOptions<JwtOptions>>().Value.UsesExternalAuthority)
        {
            MapSignIn(api.MapGroup("/auth").WithTags("Auth"));
        }

        api.MapGet("/me", async Task<Ok<CurrentUserResponse>> (IMediator mediator, HttpResponse response, CancellationToken ct) =>
            {
                var current = await mediator.Send(new GetCurrentUserRequest(), ct);
                return response.OkWithETag(current.Response, current.Version);
            })
            .RequireAuthorization()
            .WithTags("Auth")
            .ReturnsETag()
            .WithName("GetCurrentUser")
            .WithSummary("The signed-in user and their permissions")
            .ProducesProblems(StatusCodes.Status404NotFound);

        api.MapPost("/me/password", async Task<NoContent> (Users.SetPasswordRequest request, IMediator mediator, ICurrentActor actor, CancellationToken ct) =>
            {
                if (actor.Kind != HttpCurrentActor.UserKind || actor.Id is not { } id)
                {
                    throw new NotFoundException("User", actor.Key);
                }

                await mediator.Send(request with { UserId = id, RequireCurrentPassword = true }, ct);
                return TypedResults.NoContent();
            })
            .RequireAuthorization()
            .WithTags("Auth")
            .WithName("ChangeOwnPassword")
            .WithSummary("Change your own password (needs the current one); signs out every session, this one included")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound);
    }

    private static void MapSignIn(RouteGroupBuilder auth)
    {

        auth.MapPost("/token", async Task<Ok<TokenResponse>> (IssueTokenRequest request, IMediator mediator, HttpResponse response, CancellationToken ct) =>
            {
                response.Headers.CacheControl = "no-store";
                return TypedResults.Ok(await mediator.Send(request, ct));
            })
            .AllowAnonymous()
            .WithName("IssueToken")
            .WithSummary("Sign in with email and password")
            .WithDescription("Returns a short-lived access token (JWT) and a single-use refresh token. Five failed attempts lock the account for 15 minutes (429 account-locked).")
            .ProducesProblems(StatusCodes.Status400BadRequest);

        auth.MapPost("/refresh", async Task<Ok<TokenResponse>> (RefreshTokensRequest request, IMediator mediator, HttpResponse response, CancellationToken ct) =>
            {
                response.Headers.CacheControl = "no-store";
                return TypedResults.Ok(await mediator.Send(request, ct));
            })
            .AllowAnonymous()
            .WithName("RefreshToken")
            .WithSummary("Exchange a refresh token for a new token pair")
            .WithDescription("Refresh tokens rotate: each is valid once. Presenting a used one revokes its whole family (a stolen copy stops working too).")
            .ProducesProblems(StatusCodes.Status400BadRequest);

        auth.MapPost("/logout", async Task<NoContent> (LogoutRequest request, IMediator mediator, CancellationToken ct) =>
            {
                await mediator.Send(request, ct);
                return TypedResults.NoContent();
            })
            .AllowAnonymous()
            .WithName("Logout")
            .WithSummary("Revoke a refresh token, or every session of its user")
            .ProducesProblems(StatusCodes.Status400BadRequest);
    }
}
