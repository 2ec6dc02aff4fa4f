import { describe, expect, it } from 'vitest';
import { parseLoadBalancerSettings } from '../../src/config/load-balancer.js';

const LISTENER =
  'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/review-apps/0123456789abcdef/fedcba9876543210';

describe('load balancer settings', () => {
  it('are off without a listener, and name the listener when other settings need it', () => {
    expect(parseLoadBalancerSettings({})).toEqual({ problems: [] });
    expect(parseLoadBalancerSettings({ REVIEW_APP_DOMAIN: 'review.example.com' }).problems).toEqual(
      [
        'REVIEW_APP_DOMAIN: needs LOAD_BALANCER_LISTENER_ARN (the HTTPS listener of the shared load balancer)',
      ],
    );
  });

  it('give the name template, health checks and access from the environment', () => {
    const { settings, problems } = parseLoadBalancerSettings({
      LOAD_BALANCER_LISTENER_ARN: LISTENER,
      REVIEW_APP_DOMAIN: 'Review.Example.com',
      ALLOWED_SOURCE_CIDRS: '203.0.113.0/24, 2001:db8::/32',
    });
    expect(problems).toEqual([]);
    expect(settings).toMatchObject({
      listenerArn: LISTENER,
      domain: 'review.example.com',
      hostTemplate: 'mr-{mr}.{domain}',
      healthCheck: { path: '/', codes: '200-399', intervalSeconds: 5, healthyThreshold: 2 },
      access: { cidrs: ['203.0.113.0/24', '2001:db8::/32'] },
    });
  });

  it('report every problem at once, by variable, without echoing the secret', () => {
    const { settings, problems } = parseLoadBalancerSettings({
      LOAD_BALANCER_LISTENER_ARN:
        'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/x/1',
      REVIEW_APP_HOST_TEMPLATE: 'mr-{mr}.apps.{domain}',
      HEALTH_CHECK_CODES: 'ok',
      ALLOWED_SOURCE_CIDRS: '10.0.0.0/40',
      OIDC_ISSUER: 'http://sso.example.com',
      OIDC_CLIENT_SECRET: 'very-secret-value',
    });
    expect(settings).toBeUndefined();
    expect(problems.map((p) => p.split(':')[0])).toEqual([
      'LOAD_BALANCER_LISTENER_ARN',
      'REVIEW_APP_DOMAIN',
      'REVIEW_APP_HOST_TEMPLATE',
      'HEALTH_CHECK_CODES',
      'ALLOWED_SOURCE_CIDRS',
      'OIDC_ISSUER',
      'OIDC_AUTHORIZATION_ENDPOINT',
      'OIDC_TOKEN_ENDPOINT',
      'OIDC_USER_INFO_ENDPOINT',
      'OIDC_CLIENT_ID',
    ]);
    expect(problems.join('\n')).not.toContain('very-secret-value');
  });

  it('refuse placeholders the template does not know', () => {
    const { problems } = parseLoadBalancerSettings({
      LOAD_BALANCER_LISTENER_ARN: LISTENER,
      REVIEW_APP_DOMAIN: 'review.example.com',
      REVIEW_APP_HOST_TEMPLATE: '{branch}-{mr}.{domain}',
    });
    expect(problems).toEqual([
      'REVIEW_APP_HOST_TEMPLATE: unknown placeholder {branch} (known: {mr}, {project}, {random})',
    ]);
  });
});
