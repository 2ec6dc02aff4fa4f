/** What the Slack app needs. */
export interface SlackSettings {
  botToken: string;
  /** HTTP mode (Slack's requests to /slack/events are checked with it). */
  signingSecret?: string | undefined;
  /** Socket Mode when set (xapp-...). */
  appToken?: string | undefined;
  /** The Web API's base URL when it is not Slack's own (GovSlack, the sandbox, tests). */
  apiUrl?: string | undefined;
  port: number;
  /** `chat.update` calls per minute shared by every countdown. */
  updatesPerMinute: number;
  access: AccessSettings;
}

/** Who may launch or change review apps: empty lists mean everyone, everywhere. */
export interface AccessSettings {
  allowedUsers: string[];
  allowedChannels: string[];
}

/** Where the CLI tells Slack about its launches (optional: SLACK_CLI_CHANNEL). */
export interface CliNoticeSettings {
  channel: string;
  botToken: string;
  apiUrl?: string | undefined;
}
