import { createPoller } from 'pollwise';
import { pollwisePlugin } from 'pollwise/vue';
import { createApp } from 'vue';
import App from './App.vue';

// One poller for the whole app; every usePoll below finds it through the plugin.
const poller = createPoller();

createApp(App).use(pollwisePlugin(poller)).mount('#app');
