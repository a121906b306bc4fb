using Microsoft.AspNetCore.Http;

namespace EdgeAgent.Hub.Security;

/// <summary>Refuses every /api request without the right bearer token (401). The dashboard's static files carry no data and stay open.</summary>
public sealed class BearerTokenMiddleware(RequestDelegate next, AccessToken token)
{
    public Task InvokeAsync(HttpContext context)
    {
        if (!context.Request.Path.StartsWithSegments("/api", StringComparison.Ordinal))
        {
            return next(context);
        }
        var header = context.Request.Headers.Authorization.ToString();
        const string Scheme = "Bearer ";
        if (header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase) && token.Matches(header.AsSpan(Scheme.Length).Trim()))
        {
            return next(context);
        }
        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        context.Response.Headers.WWWAuthenticate = "Bearer";
        return context.Response.WriteAsJsonAsync(new { error = "A valid bearer token is required." });
    }
}
